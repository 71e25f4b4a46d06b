"""Gunicorn in production: `.venv/bin/gunicorn -c newsroom/gunicorn.conf.py` (see README).

Options given on the command line override these (e.g. `--bind 0.0.0.0:8000`).
"""

wsgi_app = "newsroom.wsgi"
bind = "127.0.0.1:8000"
workers = 3

# A search is a GET URL: its query, up to articles.search.MAX_QUERY_LENGTH (1,000)
# characters, is percent-encoded at 6 bytes an Arabic letter ("د" is %D8%AF), then come the
# filters. Gunicorn's default request line of 4,094 bytes answered "414 Request-URI Too Long"
# past some 680 Arabic characters, though the archive cuts a long query and never refuses it;
# 8,190 bytes, gunicorn's largest, holds 1,000 Arabic characters with every filter.
limit_request_line = 8190

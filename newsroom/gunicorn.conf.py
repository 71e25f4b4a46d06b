"""gunicorn's settings for the archive: `gunicorn newsroom.wsgi -c newsroom/gunicorn.conf.py`.

Options given on the command line after these take precedence (the port, the workers).
"""

# Threads, not gunicorn's default sync worker. A sync worker that has not finished a request
# within `timeout` (30 s) is killed, even while it streams: a large CSV export arrived cut off
# mid-body with HTTP 200. A gthread worker's main loop keeps telling the arbiter it is alive
# while its threads serve, so the timeout only catches a worker stuck as a whole, and a long
# export streams to its end (tests/test_export_streaming.py, with a 2 s timeout).
worker_class = "gthread"
threads = 4

# A search is a GET URL: its query, up to articles.search.MAX_QUERY_LENGTH (1,000)
# characters, is percent-encoded at 6 bytes an Arabic letter ("د" is %D8%AF), then come the
# filters. Gunicorn's default request line of 4,094 bytes answered "414 Request-URI Too Long"
# past some 680 Arabic characters, though the archive cuts a long query and never refuses it;
# 8,190 bytes, gunicorn's largest, holds 1,000 Arabic characters with every filter
# (tests/test_gunicorn.py).
limit_request_line = 8190

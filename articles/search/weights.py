"""How matches rank, on both databases: a title hit first, then the opening words, then newest."""

TITLE_WEIGHT = 100.0  # a title hit outranks any number of body hits
# PostgreSQL ranks by the title and this many opening words of the body (the lede, where a
# news story names its place); matches further in rank equal, newest first.
RANK_WORDS = 60
# ts_rank's weights of the labels D, C, B (the body) and A (the title).
POSTGRES_WEIGHTS = [0.0, 0.0, 1.0 / TITLE_WEIGHT, 1.0]

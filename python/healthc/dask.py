"""healthc.dask.score: a Dask DataFrame scored partition by partition, on any scheduler
(`distributed` included). The card travels to workers as its text (or its ahead-of-time
artefact's bytes) and is compiled once per worker process (scorecard._revive keeps it)."""
import datetime
import hashlib
import os

from .scorecard import Scorecard


def _score_partition(part, card, as_of, explain, threads):
    return card.score_frame(part, as_of=as_of, explain=explain, threads=threads)


def score(ddf, card, as_of=None, explain=False, threads=1):
    """Scores every partition of `ddf` with `card` (a Scorecard, or a path Scorecard.load
    reads). Returns a lazy Dask DataFrame with score_frame's columns and ddf's index; `meta`
    is the card's own zero-row result, so Dask never calls the scorer on made-up rows.
    `as_of` None is today (UTC) taken once here, so every partition scores the same day;
    `threads` is per partition (1: the workers' own threads run partitions side by side)."""
    if not isinstance(card, Scorecard):
        card = Scorecard.load(os.fspath(card))
    if as_of is None:
        as_of = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    meta = card.score_frame(ddf._meta, as_of=as_of, explain=explain)
    token = hashlib.sha256(repr((card._origin, as_of, explain)).encode()).hexdigest()[:16]
    return ddf.map_partitions(_score_partition, card, as_of, explain, threads, meta=meta,
                              token=f"healthc-score-{token}")

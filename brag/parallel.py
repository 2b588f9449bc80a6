"""Long work spread over the CPUs: a cold index rebuild, a first analysis of a big journal.

:func:`split` runs ``work`` on consecutive parts of a list in forked worker
processes while this process does the first share itself. Fork is cheap and
re-imports nothing; where it is not the norm (Windows, macOS), or while another
thread runs (a fork would copy its locks held), there are no workers and the
caller does all of the work itself. The workers' results come back through
files, not the pool's pipe: through the pipe, megabytes of results would be read
here by a thread that waits for this one's lock at every 64 KiB, and each worker
would stand idle until it had them all.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: brag list never loads it
    from typing import Any

#: The most processes brag splits work over, this one included.
MAX_WORKERS = 8


def workers() -> int:
    """How many processes can share the work here, this one included (1: no split)."""
    if not sys.platform.startswith("linux"):
        return 1
    threading = sys.modules.get("threading")  # never imported: no thread was started
    if threading is not None and threading.active_count() > 1:
        return 1
    return min(os.cpu_count() or 1, MAX_WORKERS)


class Parts:
    """The results of :func:`split`: iterating gives the items of this process's
    list, then of each worker's list, in order, each part as soon as it has arrived.
    A part a worker failed to deliver (a full disk for its file, say) is worked
    out here instead. :meth:`close` stops the workers and removes their files;
    call it after the last item, or to abandon the rest."""

    def __init__(
        self,
        pool: Any,
        first: list[Any],
        others: Iterator[str],
        folder: str,
        each: Callable[[], object] | None = None,
        redo: Callable[[int], list[Any]] | None = None,
    ):
        self.pool, self.first, self.others, self.folder = pool, first, others, folder
        self.each = each
        self.redo = redo  # the work of the n-th worker part, done here

    def __iter__(self) -> Iterator[Any]:
        yield from self.first
        yield from self.rest()

    def rest(self) -> Iterator[Any]:
        """The workers' items only, in order, each part as soon as it has arrived
        (``each`` called for every one: a progress bar's step, say)."""
        import pickle

        n = 0
        while True:
            try:
                path = next(self.others)
                with open(path, "rb") as f:
                    part = pickle.load(f)
                os.unlink(path)
            except StopIteration:
                return
            except Exception:
                if self.redo is None:
                    raise
                n += 1
                yield from self.redo(n - 1)  # done here: the work counts its own steps
                continue
            n += 1
            if self.each is None:
                yield from part
                continue
            for item in part:
                yield item
                self.each()

    def close(self) -> None:
        import shutil

        self.pool.terminate()
        shutil.rmtree(self.folder, ignore_errors=True)


#: What forked workers run and read: the work, the items and the folder for their
#: results. Set only while the pool forks; the workers keep their copy.
_JOB: tuple[Callable[[Sequence[Any]], list[Any]], Sequence[Any], str] | None = None


def _ignore_interrupts() -> None:
    """In a worker: Ctrl-C is this process's to handle (it stops the workers); a
    worker that took it too would print its own traceback over the terminal."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _part_to_file(span: tuple[int, int]) -> str:
    """In a worker: the work of ``items[start:end]``, left in a file."""
    import pickle

    assert _JOB is not None
    work, items, folder = _JOB
    found = work(items[span[0] : span[1]])
    path = os.path.join(folder, f"{span[0]}.part")
    with open(path, "wb") as f:
        pickle.dump(found, f, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def split(
    work: Callable[[Sequence[Any]], list[Any]],
    items: Sequence[Any],
    *,
    minimum: int,
    smallest_part: int,
    largest_part: int = 2000,
    lighter: bool = False,
    each: Callable[[], object] | None = None,
) -> Parts | None:
    """``work`` of all ``items`` (a list out of each list in), shared with forked
    workers, or None when there are fewer than ``minimum`` items or no workers to
    share with: then the caller does the work itself.

    This process takes the first share and does it before returning; the workers
    take the rest in parts of ``smallest_part`` to ``largest_part`` items, about
    eight per worker, so the results come back while the rest are still being
    worked out. ``lighter``: this process's share is smaller than a worker's, for
    a caller that has more to do with each result as it arrives (a database write,
    say) and should keep pace. ``each`` is called for every item of the workers'
    results as it is taken (see :meth:`Parts.rest`). Only its results come back
    from a worker: whatever else ``work`` changes there (a memo, say) stays there.
    """
    if len(items) < minimum:
        return None
    count = workers()
    if count < 2:
        return None
    import multiprocessing
    import tempfile

    global _JOB
    own = len(items) // (count + 1 if lighter else count)
    part = max(smallest_part, min(largest_part, -(-(len(items) - own) // (8 * (count - 1)))))
    spans = [(i, min(i + part, len(items))) for i in range(own, len(items), part)]
    # No room for the workers' files, no process to be had: all of it here, then.
    try:
        folder = tempfile.mkdtemp(prefix="brag-parts-")
    except OSError:
        return None
    _JOB = (work, items, folder)
    # A Pool forks its workers before it starts its own threads: no thread is
    # running at fork time.
    try:
        pool = multiprocessing.get_context("fork").Pool(count - 1, _ignore_interrupts)
    except OSError:
        os.rmdir(folder)
        return None
    finally:
        _JOB = None

    def redo(n: int) -> list[Any]:
        return work(items[spans[n][0] : spans[n][1]])

    try:
        others = pool.imap(_part_to_file, spans, chunksize=1)
        first = work(items[:own])
    except BaseException:
        Parts(pool, [], iter(()), folder).close()
        raise
    return Parts(pool, first, others, folder, each, redo)

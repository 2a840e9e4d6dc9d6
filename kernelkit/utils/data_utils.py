"""Downloading and caching files, as Keras 2's `get_file` did.

Files live in the Keras cache, `$KERAS_HOME` when that variable is set, otherwise `~/.keras`
(falling back to `/tmp/.keras` when that folder is not writable), under `cache_subdir`. A file that is
already there (with the right hash, when one is given) is used without touching the network, so
notebooks work offline once the files are in place. When a file is missing and cannot be downloaded, the
error names the file and the exact folder to copy it into.
"""
import hashlib
import multiprocessing
import os
import tarfile
import tempfile
import zipfile

import numpy as np

from kernelkit.utils.enqueuers import (GeneratorEnqueuer, OrderedEnqueuer, Sequence,  # noqa: F401
                                       SequenceEnqueuer)
from kernelkit.utils.progbar import Progbar  # noqa: F401  (Keras 2.2.4's data_utils carried it)

_CHUNK_SIZE = 1 << 16
_DOWNLOAD_TIMEOUT = 30


class DownloadError(IOError):
    """Raised by `get_file` when a file is not in the cache and cannot be downloaded.

    The message names the file, the URL and the exact path where the file can be placed by hand.
    """


def _cache_base(cache_dir):
    if cache_dir is None:
        cache_dir = os.environ.get('KERAS_HOME') or os.path.join(os.path.expanduser('~'), '.keras')
    base = os.path.expanduser(cache_dir)
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        pass
    if not os.access(base, os.W_OK):
        base = os.path.join(tempfile.gettempdir(), '.keras')
    return base


def _resolve_algorithm(file_hash, algorithm):
    if algorithm not in ('auto', 'sha256', 'md5'):
        raise ValueError("`hash_algorithm` must be 'auto', 'sha256' or 'md5'; received %r." % (algorithm,))
    if algorithm == 'auto':
        return 'sha256' if file_hash is not None and len(file_hash) == 64 else 'md5'
    return algorithm


def _hash_file(fpath, algorithm='sha256', chunk_size=_CHUNK_SIZE):
    """Computes the hash of a file.

    # Arguments
        fpath: path to the file.
        algorithm: `'sha256'` or `'md5'` (`'auto'` means sha256).
        chunk_size: bytes read at a time.

    # Returns
        The hexadecimal digest, as a string.
    """
    if algorithm in ('sha256', 'auto'):
        hasher = hashlib.sha256()
    elif algorithm == 'md5':
        hasher = hashlib.md5()
    else:
        raise ValueError("`algorithm` must be 'auto', 'sha256' or 'md5'; received %r." % (algorithm,))
    with open(fpath, 'rb') as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b''):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm='auto', chunk_size=_CHUNK_SIZE):
    """Checks a file against a sha256 or md5 hash.

    # Arguments
        fpath: path to the file.
        file_hash: the expected hexadecimal digest.
        algorithm: `'auto'` (sha256 for a 64-character hash, else md5), `'sha256'` or `'md5'`.
        chunk_size: bytes read at a time.

    # Returns
        Whether the file matches the hash.

    # Raises
        ValueError: for an unknown algorithm.
    """
    algorithm = _resolve_algorithm(file_hash, algorithm)
    return _hash_file(fpath, algorithm, chunk_size) == str(file_hash).lower()


def _is_within(directory, target):
    directory = os.path.realpath(directory)
    target = os.path.realpath(target)
    return os.path.commonpath([directory, target]) == directory


def _extract_archive(file_path, path='.', archive_format='auto'):
    """Extracts a tar or zip archive into `path`.

    # Arguments
        file_path: path to the archive.
        path: folder to extract into.
        archive_format: `'auto'` (same as `['tar', 'zip']`), `'tar'`, `'zip'`, a list of those, or `None`.

    # Returns
        `True` if an archive was recognised and extracted, `False` otherwise.

    # Raises
        ValueError: if a member of the archive would land outside `path`.
    """
    if archive_format is None:
        return False
    if archive_format == 'auto':
        archive_format = ['tar', 'zip']
    if isinstance(archive_format, str):
        archive_format = [archive_format]
    for kind in archive_format:
        if kind == 'tar':
            is_match, opener = tarfile.is_tarfile, tarfile.open
        elif kind == 'zip':
            is_match, opener = zipfile.is_zipfile, zipfile.ZipFile
        else:
            raise ValueError("`archive_format` entries must be 'tar' or 'zip'; received %r." % (kind,))
        if not is_match(file_path):
            continue
        with opener(file_path) as archive:
            names = archive.getnames() if kind == 'tar' else archive.namelist()
            for name in names:
                if not _is_within(path, os.path.join(path, name)):
                    raise ValueError('The archive %s holds the member %r, which would be written outside %s; '
                                     'refusing to extract it.' % (file_path, name, path))
            try:
                if kind == 'tar' and hasattr(tarfile, 'data_filter'):
                    archive.extractall(path, filter='data')
                else:
                    archive.extractall(path)
            except (tarfile.TarError, RuntimeError, KeyboardInterrupt, OSError):
                if os.path.exists(path) and not os.path.isdir(path):
                    os.remove(path)
                raise
        return True
    return False


def _download(origin, fpath):
    """Streams `origin` into `fpath` through a temporary file, with a progress bar."""
    from urllib.request import urlopen

    from kernelkit.utils.progbar import Progbar

    folder = os.path.dirname(fpath)
    handle, partial = tempfile.mkstemp(prefix='.download-', dir=folder)
    try:
        with os.fdopen(handle, 'wb') as out, urlopen(origin, timeout=_DOWNLOAD_TIMEOUT) as response:
            total = response.headers.get('Content-Length') if getattr(response, 'headers', None) else None
            total = int(total) if total and str(total).isdigit() else None
            bar = Progbar(target=total) if total else None
            done = 0
            for chunk in iter(lambda: response.read(_CHUNK_SIZE), b''):
                out.write(chunk)
                done += len(chunk)
                if bar is not None:
                    bar.update(min(done, total))
        os.replace(partial, fpath)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise


def get_file(fname, origin, untar=False, md5_hash=None, file_hash=None, cache_subdir='datasets',
             hash_algorithm='auto', extract=False, archive_format='auto', cache_dir=None):
    """Downloads a file from a URL if it is not already in the cache.

    By default the file at `origin` is saved as `~/.keras/datasets/fname` (the cache folder is
    `$KERAS_HOME` instead of `~/.keras` when that variable is set). A file already there is returned
    without any network access; when `file_hash` is given it must match, otherwise the file is downloaded
    again.

    # Arguments
        fname: name of the file. An absolute path such as `/path/to/file.txt` saves the file there.
        origin: original URL of the file.
        untar: deprecated in favour of `extract`. If `True`, the file is a `.tar.gz` archive: it is saved
            as `fname + '.tar.gz'`, extracted, and the path of the extracted folder `fname` is returned.
            An extracted folder that is already in the cache is used as is.
        md5_hash: deprecated in favour of `file_hash`; the md5 hash of the file.
        file_hash: the expected hash of the file after download (sha256 or md5).
        cache_subdir: subfolder of the cache where the file is saved (default `'datasets'`). An absolute
            path saves the file in that folder.
        hash_algorithm: `'md5'`, `'sha256'` or `'auto'` (guessed from the length of `file_hash`).
        extract: whether to extract the file as an archive (tar or zip) next to it.
        archive_format: `'auto'`, `'tar'`, `'zip'`, a list of those, or `None` (no extraction).
        cache_dir: the cache folder (default `$KERAS_HOME` or `~/.keras`).

    # Returns
        The path to the file (or to the extracted folder when `untar=True`).

    # Raises
        ValueError: for invalid arguments.
        DownloadError: (an `IOError`) if the file is not in the cache and cannot be downloaded; the
            message names the file and the folder to place it in by hand.
    """
    if not fname or not isinstance(fname, str):
        raise ValueError('`fname` must be a non-empty file name; received %r.' % (fname,))
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, 'md5'
    algorithm = _resolve_algorithm(file_hash, hash_algorithm)

    datadir = os.path.join(_cache_base(cache_dir), cache_subdir)
    os.makedirs(datadir, exist_ok=True)

    if untar:
        untar_fpath = os.path.join(datadir, fname)
        fpath = untar_fpath + '.tar.gz'
    else:
        fpath = os.path.join(datadir, fname)

    if untar and os.path.exists(untar_fpath) and not os.path.exists(fpath):
        return untar_fpath  # already extracted; the archive itself is not needed any more

    download, stale = False, False
    if os.path.exists(fpath):
        if file_hash is not None and not validate_file(fpath, file_hash, algorithm=algorithm):
            print('A local file was found, but it seems to be incomplete or outdated because the %s file '
                  'hash does not match the original value of %s so we will re-download the data.'
                  % (algorithm, file_hash))
            download, stale = True, True
    else:
        download = True

    if download:
        if not origin:
            raise ValueError('`origin` must be the URL of %r, which is not in the cache at %s.' % (fname, fpath))
        print('Downloading data from', origin)
        try:
            _download(origin, fpath)
        except KeyboardInterrupt:
            raise
        except Exception as error:  # network down, URL gone, HTTP error, ...
            reason = getattr(error, 'reason', None) or error
            if stale:
                detail = ('The cached copy %s does not match the expected %s hash %s, and a fresh copy '
                          'could not be downloaded.' % (fpath, algorithm, file_hash))
            else:
                detail = 'The file %r is not in the Keras cache and could not be downloaded.' % os.path.basename(fpath)
            where = ('Place the file %r in the folder %s (full path: %s)' % (os.path.basename(fpath), datadir, fpath))
            if untar:
                where += (', or put its extracted folder at %s' % untar_fpath)
            raise DownloadError('%s\nURL: %s\nReason: %s\nIf this machine is offline, download the file on a '
                                'machine that is online and copy it over. %s.'
                                % (detail, origin, reason, where)) from error
        if file_hash is not None and not validate_file(fpath, file_hash, algorithm=algorithm):
            os.remove(fpath)
            raise DownloadError('The file downloaded from %s does not match the expected %s hash %s; it was '
                                'deleted. Try again, or place a correct copy at %s.'
                                % (origin, algorithm, file_hash, fpath))

    if untar:
        if not os.path.exists(untar_fpath):
            _extract_archive(fpath, datadir, archive_format='tar')
        return untar_fpath
    if extract:
        _extract_archive(fpath, datadir, archive_format)
    return fpath



# ------------------------------------------------------------------------------------------------
# Keras 2.2.4's worker-pool helpers. Its enqueuers ran `multiprocessing.Pool` workers that found their
# `Sequence` (or generator) by uid in `_SHARED_SEQUENCES`, set by the pool's initializer. kernelkit's
# enqueuers (`enqueuers.py`, with their pools in `worker_pools.py`) send work to their workers directly
# and do not use these; they are kept for code written against Keras 2.2.4's pools.

_SHARED_SEQUENCES = {}
_SEQUENCE_COUNTER = None  # Keras 2.2.4 created a `multiprocessing.Value` here on first use


def init_pool(seqs):
    """Pool initializer: makes the shared sequences visible to the worker process.

    # Arguments
        seqs: dictionary of uid -> `Sequence`.
    """
    global _SHARED_SEQUENCES
    _SHARED_SEQUENCES = seqs


def get_index(uid, i):
    """Gets the value at index `i` of the shared sequence `uid` (what a pool worker runs).

    # Arguments
        uid: the uid of the sequence in `_SHARED_SEQUENCES`.
        i: the index.

    # Returns
        `_SHARED_SEQUENCES[uid][i]`, a batch.

    # Raises
        KeyError: if no sequence has the uid `uid`.
    """
    if uid not in _SHARED_SEQUENCES:
        raise KeyError('get_index: no shared sequence has the uid %r (known: %s). Was the pool started with '
                       '`init_pool`?' % (uid, sorted(_SHARED_SEQUENCES)))
    return _SHARED_SEQUENCES[uid][i]


def init_pool_generator(gens, random_seed=None):
    """Pool initializer for generators: shares them and seeds the worker's Numpy generator.

    # Arguments
        gens: dictionary of uid -> generator.
        random_seed: base seed; each worker process seeds Numpy with `random_seed` plus its process id,
            so workers draw different numbers. `None` leaves the random state alone.
    """
    global _SHARED_SEQUENCES
    _SHARED_SEQUENCES = gens
    if random_seed is not None:
        ident = multiprocessing.current_process().ident or 0
        np.random.seed((int(random_seed) + ident) % (2 ** 32))


def next_sample(uid):
    """Gets the next value of the shared generator `uid` (what a pool worker runs).

    # Arguments
        uid: the uid of the generator in `_SHARED_SEQUENCES`.

    # Returns
        The next item of the generator.

    # Raises
        KeyError: if no generator has the uid `uid`.
        StopIteration: when the generator is exhausted.
    """
    if uid not in _SHARED_SEQUENCES:
        raise KeyError('next_sample: no shared generator has the uid %r (known: %s). Was the pool started '
                       'with `init_pool_generator`?' % (uid, sorted(_SHARED_SEQUENCES)))
    return next(_SHARED_SEQUENCES[uid])

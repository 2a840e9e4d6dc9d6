"""Crash-safe file writing, shared by every kernelkit writer (HDF5 saves, the migrator).

A writer puts its data in a temporary file beside the target, named `.<name>.kk<pid>@<host>.<random>.tmp`
(hidden, and never mistaken for the target), syncs it to disk, renames it onto the target and syncs the
folder. A writer killed half-way (`kill -9`, a power cut) leaves only its temporary file; the next write
of the same target removes the temporary files whose process no longer runs on this machine.
"""
import os
import re
import socket


def temporary_tag():
    """`kk<pid>@<host>`: the part of a temporary file's name that says which process on which machine wrote it."""
    host = re.sub(r'[^A-Za-z0-9_-]', '_', socket.gethostname())[:40] or 'host'
    return 'kk%d@%s' % (os.getpid(), host)


def remove_stale_temporaries(directory, basename):
    """Removes the temporary files that writers of `basename` killed on this machine (a `kill -9`, a power
    cut) left in `directory`: those whose writing process no longer runs. Best effort: errors are ignored."""
    tag = temporary_tag()
    host = tag.split('@', 1)[1]
    pattern = re.compile(r'^\.%s\.kk(\d+)@%s\.[A-Za-z0-9]+\.tmp$' % (re.escape(basename), re.escape(host)))
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        match = pattern.match(name)
        if match is None or int(match.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(match.group(1)), 0)
            continue  # that writer still runs (or the id was reused): leave its file alone
        except ProcessLookupError:
            pass
        except OSError:
            continue  # e.g. another user's process: it runs
        try:
            os.remove(os.path.join(directory, name))
        except OSError:
            pass


def create_temporary(directory, basename):
    """Creates an empty temporary file `.<basename>.kk<pid>@<host>.<random>.tmp` in `directory` (hidden, and
    never mistaken for the target) with the permissions a new file gets (0666 less the umask); returns its path."""
    for _ in range(100):
        path = os.path.join(directory, '.%s.%s.%s.tmp' % (basename, temporary_tag(), os.urandom(4).hex()))
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return path
        except FileExistsError:
            continue
    raise FileExistsError('Could not create a temporary file beside %s in %s.' % (basename, directory))


def fsync_directory(directory):
    """Syncs `directory` itself to disk (so a rename in it survives a crash); a no-op where folders cannot be opened."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # e.g. a platform that cannot open directories
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)

"""The `kernelkit` command line (the console script, and `python -m kernelkit`).

    kernelkit migrate [--diff | --inplace [--no-backup]] [--quiet] PATH...   (.py, .ipynb files, directories)
    kernelkit run SCRIPT [ARGS...]                              (runs a Keras 1/2 script on kernelkit)

`migrate` is `kernelkit.legacy.migrate_files.migrate_paths`; `run` installs `import keras` as kernelkit
(`kernelkit.legacy.aliases`) and runs the script as written.
"""
import argparse
import os
import sys


def run_script(script, args):
    """Runs a Keras 1 or 2 script as written on kernelkit (`import keras` gives kernelkit).

    # Arguments
        script: the path of the script.
        args: its command-line arguments.

    # Returns
        0 (an exception in the script propagates).
    """
    import runpy
    from kernelkit.legacy.aliases import install_as_keras
    install_as_keras()
    sys.argv = [script] + list(args)
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name='__main__')
    return 0


def main(argv=None):
    """The `kernelkit` command: `kernelkit migrate ...` and `kernelkit run SCRIPT ...`.

    # Arguments
        argv: the arguments (default: `sys.argv[1:]`).

    # Returns
        The exit status: 0; 1 when a file could not be read, parsed or written; 2 for a usage error.
    """
    parser = argparse.ArgumentParser(prog='kernelkit', description='kernelkit: the Keras 2 API on TensorFlow 2.')
    commands = parser.add_subparsers(dest='command')
    migrate = commands.add_parser('migrate', help='rewrite Keras 1 code (.py, .ipynb) as Keras 2 code')
    migrate.add_argument('paths', nargs='+', metavar='PATH')
    mode = migrate.add_mutually_exclusive_group()
    mode.add_argument('--diff', action='store_true', help='print a unified diff (the default)')
    mode.add_argument('--inplace', action='store_true', help='rewrite the files (through a temporary file and '
                      'a rename; the original is kept as FILE.bak)')
    migrate.add_argument('--no-backup', action='store_true', help='with --inplace: keep no FILE.bak copy')
    migrate.add_argument('--quiet', '-q', action='store_true', help='report only warnings and errors')
    run = commands.add_parser('run', help='run a Keras 1/2 script on kernelkit (`import keras` gives kernelkit)')
    run.add_argument('script')
    run.add_argument('args', nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    if options.command == 'migrate':
        if options.no_backup and not options.inplace:
            migrate.error('--no-backup goes with --inplace (without --inplace no file is written)')
        from kernelkit.legacy.migrate_files import migrate_paths
        return migrate_paths(options.paths, inplace=options.inplace, quiet=options.quiet,
                             backup=not options.no_backup)
    if options.command == 'run':
        return run_script(options.script, options.args)
    parser.print_help()
    return 2


if __name__ == '__main__':
    sys.exit(main())

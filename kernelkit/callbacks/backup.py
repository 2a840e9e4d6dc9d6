"""`BackupAndRestore`: resume an interrupted `fit` from its last completed epoch (tf_keras's callback).

At the end of every epoch the model's weights, its optimizer state and the epoch number are written to
one HDF5 file in `backup_dir`, atomically (a temporary file renamed into place), so a job killed at any
moment leaves the previous backup intact. When `fit` starts and a backup is there, it is loaded and
training continues with the next epoch, with the optimizer state (slots and `iterations`) it had. When
`fit` ends normally the backup is deleted. In a multi-worker job only the chief writes it; every worker
reads it, so the folder must be shared by the workers (a local folder for workers on one machine).
"""
import os

from kernelkit.callbacks.base import Callback
from kernelkit.engine import distribution, saving

BACKUP_FILENAME = 'backup.h5'
_EPOCH_ATTRIBUTE = 'kernelkit_backup_epoch'


class BackupAndRestore(Callback):
    """Backs up the training state at each epoch end and restores it when `fit` starts again.

    ```python
    backup = keras.callbacks.BackupAndRestore(backup_dir='/tmp/backup')
    model.fit(x, y, epochs=10, callbacks=[backup])  # killed during epoch 6
    model.fit(x, y, epochs=10, callbacks=[backup])  # run again: trains epochs 6 to 10
    ```

    # Arguments
        backup_dir: folder for the backup file (created when missing). Use one folder per job.
        save_freq: `'epoch'`: back up at the end of every epoch (the only choice in kernelkit; tf_keras
            also accepts a number of batches).
        delete_checkpoint: whether to delete the backup when training ends normally.
        save_before_preemption: must be `False` (kernelkit has no preemption notifier).

    # Raises
        ValueError: for an empty `backup_dir`, a `save_freq` other than `'epoch'`, or
            `save_before_preemption=True`.
    """

    def __init__(self, backup_dir, save_freq='epoch', delete_checkpoint=True, save_before_preemption=False):
        super(BackupAndRestore, self).__init__()
        if not backup_dir or not isinstance(backup_dir, (str, os.PathLike)):
            raise ValueError('BackupAndRestore: `backup_dir` must be a folder path; received %r.' % (backup_dir,))
        if save_freq != 'epoch':
            raise ValueError("BackupAndRestore: kernelkit backs up at the end of each epoch, so `save_freq` must "
                             "be 'epoch'; received %r." % (save_freq,))
        if save_before_preemption:
            raise ValueError('BackupAndRestore: `save_before_preemption=True` needs a preemption notifier, which '
                             'kernelkit does not have; pass False.')
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self.save_before_preemption = save_before_preemption
        self.restored_epoch = None

    @property
    def backup_path(self):
        """The path of the backup file."""
        return os.path.join(self.backup_dir, BACKUP_FILENAME)

    def _strategy(self):
        return getattr(self.model, '_distribution_strategy', None)

    def on_train_begin(self, logs=None):
        self.restored_epoch = None
        if not os.path.exists(self.backup_path):
            return
        h5py = saving._h5py()
        with h5py.File(self.backup_path, 'r') as f:
            if _EPOCH_ATTRIBUTE not in f.attrs:
                raise ValueError('BackupAndRestore: %s is not a backup written by this callback (it has no %r '
                                 'attribute); remove it or choose another backup_dir.'
                                 % (self.backup_path, _EPOCH_ATTRIBUTE))
            epoch = int(f.attrs[_EPOCH_ATTRIBUTE])
            self.model.load_weights(f)
            saving._restore_optimizer(self.model, f)
        self.restored_epoch = epoch
        self.model._resume_at_epoch = epoch + 1

    def on_epoch_end(self, epoch, logs=None):
        with distribution.chief_writes(self.backup_path, self._strategy()) as target:
            os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
            with saving.atomic_h5_file(target) as f:
                saving.save_model(self.model, f, include_optimizer=True)
                f.attrs[_EPOCH_ATTRIBUTE] = int(epoch)

    def on_train_end(self, logs=None):
        if (logs or {}).get('interrupted'):
            return  # interrupted (Ctrl-C, an error): the backup is what a next `fit` resumes from
        if self.delete_checkpoint and distribution.is_chief(self._strategy()) and os.path.exists(self.backup_path):
            os.remove(self.backup_path)

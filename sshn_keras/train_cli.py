"""`sshn-keras train`: train one model, resumably (rerun the same command after a kill).

Output folder::

    <output>/config.json      the settings (a rerun with other settings is refused)
    <output>/backup/          the resumable backup while training (see `fit_resumable`)
    <output>/best.keras       the best model so far by validation loss
    <output>/model.keras      the final model (early stopping: the best epoch's weights)
    <output>/history.json     losses and metrics per epoch, training time

Training goes through `sshn_keras.training.train_job` (Adam with
`--global-clipnorm`, 1.0 by default; phi-grid validation with
`--validation-phis`; early stopping with `--patience`). Every file is
written atomically, and the folder is locked while a run writes
it: a second run on the same `--output` is refused (a killed run's lock is
taken over, with a message). After a kill, the same command resumes from
the last finished epoch and ends with the weights an uninterrupted run gets.
"""

import argparse
import contextlib
import json
import os

from sshn_keras.atomic import atomic_save_model, atomic_write_json, remove_stale_temporaries
from sshn_keras.data.registry import DATASETS as DATASET_REGISTRY
from sshn_keras.locking import FolderLock
from sshn_keras.models.methods import METHODS

# `synthetic` (an 80 / 20 split of --num-images) and `folder` (any image and mask
# folder, with --label-names) are this command's own; the rest come from the
# dataset registry (their train and validation splits).
OWN_DATASETS = ("synthetic", "folder")


def dataset_names() -> tuple:
    """The `--dataset` choices: this command's own, then every other registered dataset."""
    return OWN_DATASETS + tuple(n for n in DATASET_REGISTRY.names() if n not in OWN_DATASETS)


PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
STRATEGIES = ("default", "mirrored")
SETTINGS = (
    "method", "phi", "dataset", "data_root", "label_names", "num_images", "size", "filters", "num_stages",
    "epochs", "batch_size", "learning_rate", "global_clipnorm", "validation_phis", "patience", "seed", "precision",
    "strategy", "deterministic", "head_rank",
)


def load_data(args) -> tuple:
    """`((x, y), (x_val, y_val), num_classes)` for the command's dataset."""
    if args.dataset == "synthetic":
        from sshn_keras.data import make_synthetic_segmentation

        data = make_synthetic_segmentation(args.num_images, size=args.size, seed=args.seed)
        n_train = int(round(0.8 * len(data.images)))
        if n_train < 1 or n_train == len(data.images):
            raise ValueError(f"`--num-images` must be at least 2 (train and validation). Received {args.num_images}")
        x, y = data.images, data.labels
        return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:]), data.num_classes
    if not args.data_root:
        raise ValueError(f"`--data-root` is required with --dataset {args.dataset}.")
    if args.dataset == "folder":
        from sshn_keras.data import load_folder

        if not args.label_names:
            raise ValueError("`--label-names` (background first) is required with --dataset folder.")

        def split(name):
            return load_folder(args.data_root, label_names=args.label_names, split=name, seed=args.seed,
                               target_size=(args.size, args.size), progress=False)

        train, val = split("train"), split("val")
        return (train.images, train.labels), (val.images, val.labels), len(train.label_names)
    splits = DATASET_REGISTRY.get(args.dataset)(data_root=args.data_root, image_size=args.size, seed=args.seed,
                                                num_images=args.num_images, progress=False)
    return splits["train"], splits["val"], len(splits["label_names"])


def build_model(args, input_shape, num_classes: int):
    arch = dict(input_shape=input_shape, num_classes=num_classes, filters=args.filters, num_stages=args.num_stages)
    options = {"head_rank": args.head_rank} if "head_rank" in METHODS.get(args.method).options else {}
    return METHODS.get(args.method).build(arch, seed=args.seed, phi=args.phi, **options)


UNSET = object()  # --head-rank not given: the method's default


def parse_head_rank(text: str):
    """`--head-rank`: a positive int, or `none` for the paper's full heads."""
    if text.strip().lower() == "none":
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive int or 'none'. Received {text!r}")
    return value


def resolve_head_rank(args) -> None:
    """`--head-rank` given only where the method takes it; unset, the method's own default (recorded)."""
    method = METHODS.get(args.method)
    if "head_rank" not in method.options:
        if args.head_rank is not UNSET:
            takers = [name for name in METHODS.names() if "head_rank" in METHODS.get(name).options]
            raise ValueError(f"`--head-rank` applies to the methods {takers}. "
                             f"Received --method {args.method} --head-rank {args.head_rank}")
        args.head_rank = None
    elif args.head_rank is UNSET:
        args.head_rank = method.option_default("head_rank")


def check_output(args) -> dict:
    """Create `--output` or check that it holds a run with the same settings; returns the settings."""
    settings = {k: getattr(args, k) for k in SETTINGS}
    if settings["data_root"]:
        settings["data_root"] = os.path.abspath(settings["data_root"])
    path = os.path.join(args.output, "config.json")
    if os.path.exists(path):
        try:
            with open(path) as f:
                saved = json.load(f)
        except (OSError, ValueError) as error:
            raise ValueError(f"Cannot read {path} ({error}); use another --output folder.") from error
        differs = sorted(k for k in settings if saved.get(k) != json.loads(json.dumps(settings[k])))
        if differs:
            raise ValueError(
                f"{args.output!r} holds a run with other settings (differs in: {', '.join(differs)}). "
                "Use another --output folder; nothing was overwritten."
            )
    else:
        atomic_write_json(path, settings)
    return settings


def main_args(args) -> None:
    from sshn_keras.priors import validate_phi

    if not METHODS.get(args.method).phi_conditioned:
        validate_phi(args.phi, "--phi")
    resolve_head_rank(args)
    for name in ("epochs", "batch_size", "num_images", "size", "filters", "num_stages"):
        if getattr(args, name) < 1:
            raise ValueError(f"`--{name.replace('_', '-')}` must be a positive int. Received {getattr(args, name)}")
    if not args.learning_rate > 0 or args.learning_rate == float("inf"):
        raise ValueError(f"`--learning-rate` must be a positive finite number. Received {args.learning_rate}")
    if not args.global_clipnorm >= 0 or args.global_clipnorm == float("inf"):
        raise ValueError(f"`--global-clipnorm` must be a finite number >= 0 (0: off). Received {args.global_clipnorm}")
    if args.patience is not None and args.patience < 1:
        raise ValueError(f"`--patience` must be a positive int. Received {args.patience}")
    for phi in args.validation_phis or ():
        validate_phi(phi, "--validation-phis entry")
    if os.path.exists(args.output) and not os.path.isdir(args.output):
        raise ValueError(f"`--output` {args.output!r} is a file; give a folder.")
    with FolderLock(args.output, "training into"):
        _train_locked(args)


def _train_locked(args) -> None:
    import keras

    from sshn_keras.determinism import make_deterministic
    from sshn_keras.resumable import remove_backup
    from sshn_keras.training import train_job

    check_output(args)
    remove_stale_temporaries(args.output)  # left by a killed run
    model_path = os.path.join(args.output, "model.keras")
    history_path = os.path.join(args.output, "history.json")
    backup_dir = os.path.join(args.output, "backup")
    if os.path.exists(model_path) and os.path.exists(history_path):
        remove_backup(backup_dir)  # a kill between saving the model and deleting the backup
        print(f"Already trained: {model_path} (delete it to train again).")
        return
    if args.deterministic:
        make_deterministic(args.seed)
    else:
        keras.utils.set_random_seed(args.seed)
    keras.config.set_dtype_policy(args.precision)
    try:
        train, val, num_classes = load_data(args)
        strategy = None
        if args.strategy == "mirrored":
            import tensorflow as tf

            strategy = tf.distribute.MirroredStrategy()
        with strategy.scope() if strategy is not None else contextlib.nullcontext():
            model = build_model(args, train[0].shape[1:], num_classes)
        phi_conditioned = METHODS.get(args.method).phi_conditioned
        job = train_job(
            model, train, val, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed,
            learning_rate=args.learning_rate, global_clipnorm=args.global_clipnorm or None, patience=args.patience,
            validation_phis=tuple(args.validation_phis) if phi_conditioned and args.validation_phis else None,
            backup_dir=backup_dir, best_model_path=os.path.join(args.output, "best.keras"),
            backup_every=args.backup_every, verbose=args.verbose, name=args.method,
        )
        atomic_save_model(model, model_path)
        atomic_write_json(history_path, {"history": job.history, "train_seconds": job.seconds})
        remove_backup(backup_dir)
    finally:
        keras.config.set_dtype_policy("float32")
    print(f"Trained {job.epochs} epoch(s) in {job.seconds:.0f} s; model: {model_path}")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="train one model; resumable: rerun the same command after an interruption"
    )
    p.add_argument("--output", required=True, help="output folder (resumed if it holds an unfinished run)")
    p.add_argument("--method", choices=METHODS.names(), default="sshn")
    p.add_argument("--phi", type=float, default=0.5, help="phi of the Fixed U-Net (--method fixed)")
    p.add_argument("--head-rank", type=parse_head_rank, default=UNSET, metavar="RANK|none",
                   help="SSHN: rank of the compact hypernetwork heads (default: SSHNUNet's, 8); none: the paper's "
                        "full heads")
    p.add_argument("--dataset", choices=dataset_names(), default="synthetic")
    p.add_argument("--data-root", default=None, help="dataset folder (every dataset but synthetic)")
    p.add_argument("--label-names", nargs="+", default=None, help="label names, background first (folder)")
    p.add_argument("--num-images", type=int, default=256, help="synthetic images (80%% train, 20%% validation)")
    p.add_argument("--size", type=int, default=64, help="side of the square images")
    p.add_argument("--filters", type=int, default=16)
    p.add_argument("--num-stages", type=int, default=5)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=16, help="global batch size (split across replicas)")
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--global-clipnorm", type=float, default=1.0,
                   help="Adam's gradient clipping (global norm); 0 turns it off")
    p.add_argument("--validation-phis", type=float, nargs="+", default=None, metavar="PHI",
                   help="phi-conditioned methods: validate at these phi, early stopping on their mean loss "
                        "(default: the model's own grid)")
    p.add_argument("--patience", type=int, default=None, help="early stopping on validation loss")
    p.add_argument("--seed", type=int, default=0, help="seed of weights, data order, split and phi draws")
    p.add_argument("--precision", choices=PRECISIONS, default="float32", help="Keras dtype policy")
    p.add_argument("--strategy", choices=STRATEGIES, default="default", help="mirrored: every local GPU")
    p.add_argument("--deterministic", action="store_true", help="deterministic TF ops (bit-reproducible)")
    p.add_argument("--backup-every", type=int, default=1, help="epochs between backups (resume points)")
    p.add_argument("--verbose", type=int, default=2, help="Keras fit verbosity (0, 1 or 2)")
    p.set_defaults(func=main_args)

"""Things the graph's nodes call, each usable on its own: settings, model files, and more.

Every command imports this package first, so the noise third-party libraries print on every run
is turned down here, before they load (a user can still turn each back on):
- transformers' "Loading weights" bar for each local model (training progress bars stay);
- bitsandbytes' warning that it could not fetch an optional CPU kernel from the model hub, which
  it tries at import on CPUs with AVX512-BF16 (nothing is fetched at run time here; the built-in
  kernel is used);
- transformers' FutureWarning about ``is_gradient_checkpointing``, which trl and peft read on every
  training run and adapter load (our own code passes the new ``activation_checkpointing``).
"""

import logging as _logging
import os as _os
import warnings as _warnings

_os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
_logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(_logging.ERROR)
_warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated", category=FutureWarning)

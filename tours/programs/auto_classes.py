"""The auto-classes tour's run: a model of one's own (a config class and a model class),
loaded by ``AutoModelForCausalLM`` twice: first from a directory whose ``config.json``
names its code in ``auto_map``, with that code beside it (``trust_remote_code=True``);
then registered with ``AutoConfig`` and ``AutoModelForCausalLM``, saved and loaded back.
Random weights, on a CPU, nothing downloaded. Needs torch."""

import atexit
import inspect
import os
import shutil
import sys
import tempfile

scratch = tempfile.mkdtemp(prefix="auto-classes-")  # the two model directories, removed at exit
atexit.register(shutil.rmtree, scratch, True)
# where transformers copies the remote code to import it (set before it is imported), kept
# after the run: a trace shows the remote code's lines from that copy, the one that ran.
# The copy an earlier run kept is removed first: transformers copies the file only when its
# copy is missing or differs, and the tour's step shows that copy being made.
modules_cache = os.path.join(tempfile.gettempdir(), "codewalk-auto-classes-modules")
shutil.rmtree(modules_cache, ignore_errors=True)
os.environ["HF_MODULES_CACHE"] = modules_cache

import _tiny  # noqa: E402,F401  (the offline switches, before transformers is imported)
import torch  # noqa: E402
from torch import nn  # noqa: E402
from transformers import AutoConfig, AutoModelForCausalLM, GenerationMixin, PreTrainedConfig, PreTrainedModel  # noqa: E402
from transformers.modeling_outputs import CausalLMOutput  # noqa: E402


class TinyBlobConfig(PreTrainedConfig):
    model_type = "tinyblob"

    def __init__(self, vocab_size: int = 32, hidden: int = 16, **kwargs: object) -> None:
        self.vocab_size = vocab_size
        self.hidden = hidden
        super().__init__(**kwargs)


class TinyBlobForCausalLM(PreTrainedModel, GenerationMixin):
    config_class = TinyBlobConfig

    def __init__(self, config: TinyBlobConfig) -> None:
        super().__init__(config)
        self.embed = nn.Embedding(config.vocab_size, config.hidden)
        self.head = nn.Linear(config.hidden, config.vocab_size)
        self.post_init()

    def forward(self, input_ids: torch.Tensor, **kwargs: object) -> CausalLMOutput:
        return CausalLMOutput(logits=self.head(self.embed(input_ids)))


# 1. remote code: the directory holds config.json (with auto_map) and modeling_tinyblob.py
remote = os.path.join(scratch, "remote")
config = TinyBlobConfig()
config.auto_map = {
    "AutoConfig": "modeling_tinyblob.TinyBlobConfig",
    "AutoModelForCausalLM": "modeling_tinyblob.TinyBlobForCausalLM",
}
TinyBlobForCausalLM(config).save_pretrained(remote)
header = (
    "import torch\n"
    "from torch import nn\n"
    "from transformers import GenerationMixin, PreTrainedConfig, PreTrainedModel\n"
    "from transformers.modeling_outputs import CausalLMOutput\n\n\n"
)
with open(os.path.join(remote, "modeling_tinyblob.py"), "w", encoding="utf-8") as file:
    file.write(header + inspect.getsource(TinyBlobConfig) + "\n\n" + inspect.getsource(TinyBlobForCausalLM))
loaded = AutoModelForCausalLM.from_pretrained(remote, trust_remote_code=True)
print(type(loaded).__module__, file=sys.stderr)

# 2. registered: the auto classes map the model type and the config class to ours
AutoConfig.register("tinyblob", TinyBlobConfig)
AutoModelForCausalLM.register(TinyBlobConfig, TinyBlobForCausalLM)
local = os.path.join(scratch, "registered")
TinyBlobForCausalLM(TinyBlobConfig()).save_pretrained(local)
model = AutoModelForCausalLM.from_pretrained(local)
print(type(model).__name__, model(torch.tensor([[1, 2, 3]])).logits.shape)

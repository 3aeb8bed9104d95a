"""`python -m agentkit.gguf_convert FILE.gguf OUTDIR`: dequantize a GGUF into a bf16 HF directory.

vLLM 0.32 no longer loads GGUF files itself; transformers can read them and save an
ordinary checkpoint. The GGUF quantization marker must be dropped, or vLLM tries to load
the result as a quantized model.
"""

from __future__ import annotations

import sys


def convert(gguf: str, out: str) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(
        str(gguf.rsplit("/", 1)[0]), gguf_file=gguf.rsplit("/", 1)[1], dtype=torch.bfloat16
    )
    for holder in (model, model.config):
        for attr in ("quantization_config", "hf_quantizer", "is_quantized"):
            if hasattr(holder, attr):
                try:
                    delattr(holder, attr)
                except AttributeError:
                    setattr(holder, attr, None)
    model.save_pretrained(out)
    tokenizer = AutoTokenizer.from_pretrained(
        str(gguf.rsplit("/", 1)[0]), gguf_file=gguf.rsplit("/", 1)[1]
    )
    tokenizer.save_pretrained(out)


if __name__ == "__main__":
    convert(sys.argv[1], sys.argv[2])

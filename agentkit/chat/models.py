"""The model a session talks to: a registry name, HF directory or id (a local vLLM, started
if none runs), a served model at `--base-url`, or, for testing, a model without a server.

For tests and demos only: `--model test` is agentkit.testing's TestModel, and
`--model function:MODULE:ATTR` imports ATTR from MODULE, a Model or a function returning one
(e.g. a FunctionModel with scripted replies), so a terminal session can be driven end to end
with no engine.
"""

from __future__ import annotations

import importlib
from typing import Any

from agentkit.chat.config import ChatConfig
from agentkit.errors import ConfigError
from agentkit.llm import Model, connect

TEST = "test"
FUNCTION = "function:"


def is_test_model(spec: str) -> bool:
    return spec == TEST or spec.startswith(FUNCTION)


def open_model(config: ChatConfig) -> Model:
    """Connect (this may start a local server: minutes on a CPU) or build the test model."""
    spec = config.model
    if spec == TEST:
        from agentkit.testing import TestModel

        return TestModel(system=config.system)
    if spec.startswith(FUNCTION):
        return _imported(spec.removeprefix(FUNCTION))
    return connect(spec, base_url=config.base_url, system=config.system)


def _imported(target: str) -> Model:
    module_name, _, attr = target.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"--model function:{target}: write function:MODULE:ATTR")
    try:
        found: Any = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"--model function:{target}: {exc}") from None
    model = found if isinstance(found, Model) else found()
    if not isinstance(model, Model):
        raise ConfigError(f"--model function:{target} gave {type(model).__name__}, not a Model")
    return model

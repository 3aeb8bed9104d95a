"""agentkit.errors draws its whole tree in its docstring; it must stay true."""

import inspect
import re

from agentkit import errors


def test_the_error_tree_in_the_docstring_names_every_error():
    drawn = set(re.findall(r"[├└]── (\w+)", errors.__doc__ or ""))
    defined = {
        name
        for name, obj in vars(errors).items()
        if inspect.isclass(obj) and issubclass(obj, errors.AgentkitError)
    }
    assert drawn == defined - {"AgentkitError"}
    for name in drawn:  # and each sits under the parent it is drawn under
        assert issubclass(getattr(errors, name), errors.AgentkitError)

"""Role-aware context routing (RCR-Router, arXiv 2508.04903) over one run's shared memory.

- `SharedMemory`: typed items (task, plan, results, sub-answers, feedback, learned
  memories) with their producer, stage, round, tokens and embeddings.
- `RCRRouter`: scores items' sentences for a role and stage and packs the best under the
  role's budget (the formula: `agentkit.planners.routing.router`); `FullRouter` and
  `StaticRouter` are the baselines behind the same interface.
- `RoutingSession`: a router at work in one run; planners take `router=`.
"""

from agentkit.planners.routing.memory import MemoryItem, SharedMemory, Unit, default_embedder
from agentkit.planners.routing.record import RoutingRecord, UnitScore
from agentkit.planners.routing.router import (
    BUDGETS,
    ROLE,
    ROUTERS,
    SLICES,
    STAGE,
    FullRouter,
    RCRRouter,
    RoutedContext,
    Router,
    StaticRouter,
    Weights,
    make_router,
)
from agentkit.planners.routing.session import RoutingSession

__all__ = [
    "BUDGETS",
    "ROLE",
    "ROUTERS",
    "SLICES",
    "STAGE",
    "FullRouter",
    "MemoryItem",
    "RCRRouter",
    "RoutedContext",
    "Router",
    "RoutingRecord",
    "RoutingSession",
    "SharedMemory",
    "StaticRouter",
    "Unit",
    "UnitScore",
    "Weights",
    "default_embedder",
    "make_router",
]

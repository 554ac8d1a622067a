"""Balance analysis of a scenario's game: can one fixed rule win it, and does the budget force choices?

For each round of the round plan, given what was bought before (the strategy path), every affordable
set of the tools on offer is run (new tools within the round's budget on top of the kept ones, as
`sim.lean.check_choice` allows) and scored with the balanced score against the library as it is.
Every set is run with the same seed and replications (common random numbers), so two sets are
compared replication by replication: set B is *tied* with the best set A when the 95% confidence
interval of the paired score difference B - A includes zero.

The path. The analysis follows the best set of each round into the next (what a team that always
chose the best would keep). Three single-idea strategies each follow their own path, taking in each
round the best affordable set their rule allows; they are defined from the tool data only:

- desk only: tools whose expected figure (`expect.kpi`) is a reader's waiting at the desk or its
  consequence (`DESK_FIGURES`: the waits, the time in the library, readers lost or served within
  15 minutes), for all readers (no `expect.group`), and that are not accessibility tools: the rule
  "buy everything that shortens the desk line";
- back office only: tools whose expected figure is one of the back office's (`BACK_OFFICE_FIGURES`:
  closed-stack orders, reshelving, books not found, the acquisitions flow and its work in process);
- back office first: the best affordable set of back-office tools first, then the best completion
  of the rest of the budget with any tools on offer;
- fairness first: accessibility tools (`aim: accessibility`, or an `expect` for one reader group)
  are bought first, in catalogue order while they fit the budget; the rest of the budget goes to the
  best completion with any tools on offer.

The search. Where a round has at most `max_sets` affordable sets, all are run. Where it has more,
a beam search runs instead: start from buying nothing, add one affordable tool to each of the `beam`
best sets found so far, run every new set, keep the `beam` best, and repeat until nothing more fits.
Every set the search runs counts for ties and warnings; the best set may be missed (the report says
which search each round used).

Reuse. A set's figures depend only on the tools in force and on the disruption events its round
switches on (`rounds[].events`), not on the path that led to it, so runs are cached by the set of
tools in force and the events: paths that meet share their runs. A round with events runs its sets
and the library as it is with them, and scores each set against that as-is library, as the training
session does.

Warnings:
- `budget_not_binding`: in a round, the best set leaves more than 20% of the budget unspent, or all
  of two or more tools that pay on their own (buying one alone is clearly better than buying
  nothing) fit into the budget together, so the budget never forces a choice between good tools;
- `one_rule_dominates`: desk only or back office only is tied with (or is) the round's best while
  the other is clearly below it (the "first" strategies are not fixed rules: they complete with any tool);
- `tool_never_pays`: a tool offered on the path that is in no set tied with the best in any round;
- `tool_never_worse`: over every pair of run sets that differ by this tool alone, adding it never
  makes the score clearly worse (no dilemma: a team can always take it if it has the points).
"""

from .results import (
    BACK_OFFICE_FIGURES,
    DEFAULT_BEAM,
    DEFAULT_MAX_SETS,
    DEFAULT_REPLICATIONS,
    DEFAULT_TOP,
    DESK_FIGURES,
    FIXED_RULES,
    MIN_SPENT_SHARE,
    STRATEGIES,
    Balance,
    BalanceError,
    BalanceWarning,
    Key,
    Progress,
    RoundBalance,
    Search,
    SetResult,
    StrategyResult,
    WarningKind,
)
from .search import analyse, strategy_tools
from .table import balance_table, warning_text

__all__ = ['BACK_OFFICE_FIGURES', 'DEFAULT_BEAM', 'DEFAULT_MAX_SETS', 'DEFAULT_REPLICATIONS', 'DEFAULT_TOP', 'DESK_FIGURES', 'FIXED_RULES', 'MIN_SPENT_SHARE', 'STRATEGIES', 'Balance', 'BalanceError', 'BalanceWarning', 'Key', 'Progress', 'RoundBalance', 'Search', 'SetResult', 'StrategyResult', 'WarningKind', 'analyse', 'balance_table', 'strategy_tools', 'warning_text']

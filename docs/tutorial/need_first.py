# file: sim/rules/need_first.py
"""Allocation by need: the municipalities with the most need per inhabitant are funded first."""

from sim.funding import AllocationRule, allocation_rules


@allocation_rules.register("need_first", competitive=False)
class NeedFirst(AllocationRule):
    """Approve eligible applications in order of their lead municipality's initial need per inhabitant in
    the programme's themes, the neediest first, while the budget (and the winners' cap) lasts; equal need
    in order of arrival. A formula by need without fixed shares: nothing is saved up."""

    def decide(self, queue, step):
        prog = self.programme
        need_per_head = prog.need / prog.population
        ordered = sorted(queue, key=lambda p: -need_per_head[p.lead_index])     # sorted() keeps arrival order
        ok = self._in_order(ordered, prog.cfg.winners_per_call)
        return [(p, ok[p.pid]) for p in queue]

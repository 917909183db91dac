"""Pupils who carry their attainment: every pupil on roll as arrays, and the yearly
submodels that move them through school (see `sim.pupils.year_end` for the order).

- `roll`: the pupils (struct of arrays) and a table view;
- `places`: the schools and neighbourhoods they move between;
- `intake`: a Reception cohort per primary each September;
- `progress`: a year's progress (school value added, home, peers, noise);
- `results`: KS2 / KS4 results per school and group, the gap and the gap index;
- `transition`: secondary places at 11 by deferred acceptance;
- `mobility`: moves between schools within a phase;
- `year_end`: one year end, in order.
"""

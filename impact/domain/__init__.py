"""What the figures mean: every metric defined once (`metrics`), the statement of activities,
unique people next to person-times, outcome indicators, the volunteer disclosure note, and the
check of what a user selected. Built on `impact.storage`; used by the views, reports and CLI."""

"""A test-only app standing in for "an app added later": its models point at Contact in every way
(foreign key, one-to-one, many-to-many, generic foreign key), so merge tests prove the merge finds
related rows it was never told about. Installed by settings_test.py only; never in production."""

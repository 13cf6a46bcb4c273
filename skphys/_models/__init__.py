"""The physical forms: each a declaration of its pure function and a regressor that
names it."""

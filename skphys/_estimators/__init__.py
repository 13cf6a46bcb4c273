"""The estimators: the contract every regressor keeps, the parametric and physical
machines, the tanh network, and pickling across versions."""

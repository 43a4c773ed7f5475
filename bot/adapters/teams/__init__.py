"""Microsoft Teams through botbuilder. The SDK (archived upstream; its successor is the
Microsoft 365 Agents SDK) is imported only inside this package, so it can be swapped without
touching anything else."""

"""The pure core: entities, the lifecycle state machine and permissions. No I/O."""

"""Publication formats: mappings from exported records to formats other tools read (FollowTheMoney)."""

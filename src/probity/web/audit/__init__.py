"""The access log (Data Protection Act 2018 s62): who consulted or changed what, when, why."""

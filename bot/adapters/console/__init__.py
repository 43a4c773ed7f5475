"""`kudos chat`: the same grammar from a terminal, on platform `console`."""

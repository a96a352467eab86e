// Nothing but a comment: nothing to analyse.

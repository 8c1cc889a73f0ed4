"""The routing eval: does the router pick the right strategy for labelled requests?"""

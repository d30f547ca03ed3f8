"""yunzhao: a static-site generator for investment-promotion bureaus.

Pipeline (one module a stage): content.loader → check → routes → render → output,
orchestrated by build.
"""

__version__ = "0.1.0"

"""`kernelwright report`: a static, self-contained HTML report of stored trials
(`eval.report.build`). Importing this package is cheap: Jinja2 and Plotly load with `build`."""


class ReportError(ValueError):
    """The report cannot be built from this selection; one sentence."""

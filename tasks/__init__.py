"""What must be computed: task folders, their configurations and references, and suites."""

from tasks.suites import all_tasks, load_suite, load_task, suite_names
from tasks.task import Config, Task, TaskError

__all__ = ["Config", "Task", "TaskError", "all_tasks", "load_suite", "load_task", "suite_names"]

"""Counting a patient's taps in an e2e test, printed past pytest's capture."""


class Taps:
    """Counts taps (text typed is counted apart); `report` prints the count
    so that every run shows it, and starts counting again."""

    def __init__(self, capsys):
        self.count = 0
        self.capsys = capsys

    def __call__(self, locator):
        locator.tap()
        self.count += 1

    def report(self, what: str) -> int:
        with self.capsys.disabled():
            print(f"\n[taps] {what}: {self.count}")  # noqa: T201 - the closing note reads it
        count, self.count = self.count, 0
        return count

import pytest


@pytest.fixture(scope="session")
def partners_500() -> list[str]:
    return [f"partner-{i:03d}" for i in range(500)]

"""The patient cabinet's URLs, mounted at /cabinet/.

Each part of the cabinet keeps its own urls module and is included here.
"""

app_name = "cabinet"
urlpatterns: list = []

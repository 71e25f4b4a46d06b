from django.contrib.auth import views as auth_views
from django.urls import path

from . import api, views
from .feeds import LocationFeed, SearchFeed
from .views import archive_read

urlpatterns = [
    path("", archive_read(views.ArticleListView.as_view()), name="article-list"),
    path("articles/", archive_read(views.ArticleListView.as_view()), name="article-list"),
    path("articles/export.csv", archive_read(api.export_csv), name="article-export-csv"),
    path("articles/export.json", archive_read(api.export_json), name="article-export-json"),
    path("articles/feed/", archive_read(SearchFeed()), name="article-feed"),
    path(
        "articles/<int:pk>/",
        archive_read(views.ArticleDetailView.as_view()),
        name="article-detail",
    ),
    path(
        "locations/<int:pk>/",
        archive_read(views.LocationDetailView.as_view()),
        name="location-detail",
    ),
    path("locations/<int:pk>/feed/", archive_read(LocationFeed()), name="location-feed"),
    path("parties/<int:pk>/", archive_read(views.PartyDetailView.as_view()), name="party-detail"),
    path("sources/<int:pk>/", archive_read(views.SourceDetailView.as_view()), name="source-detail"),
    path("api/articles/", archive_read(api.article_list), name="api-article-list"),
    path("about/", views.AboutView.as_view(), name="about"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]

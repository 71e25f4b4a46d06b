from django.contrib import admin
from django.urls import include, path

admin.site.site_header = admin.site.site_title = "أرشيف غرفة الأخبار"
admin.site.index_title = "إدارة الأرشيف"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
]

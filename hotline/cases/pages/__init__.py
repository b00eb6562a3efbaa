"""The staff pages of the case engine (issue 4): one module per group of pages, each with its own
``urlpatterns`` that ``hotline.cases.urls`` joins under the ``cases`` namespace."""

import re, pytest
from ckan.lib.helpers import url_for
from ckanext.dinamis_relay.tests import imagery_helpers as h
from ckanext.dinamis_relay.tests.test_imagery_views import _headers

@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_dbg(app):
    w = h.world()
    body = app.get(url_for("dinamis_relay.imagery_new"), headers=_headers(w.requester)).body
    css_url = re.search(r'href="([^"]*_leaflet\.css)', body).group(1)
    print(css_url)
    css = app.get(css_url).body
    print(re.findall(r"url\([^)]*\)", css)[:20])
    assert 0

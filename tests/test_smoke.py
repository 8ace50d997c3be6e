import pytest

from tests import factories


@pytest.mark.django_db
def test_issue_page_shows_bulletin(client):
    article = factories.article(title="推动人工智能应用于医保")
    response = client.get(article.issue.get_absolute_url())
    assert response.status_code == 200
    assert "推动人工智能应用于医保" in response.text

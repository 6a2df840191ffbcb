from housingfirst.models import Municipality


def test_all_98_municipalities_ship_with_their_official_codes(db):
    assert Municipality.objects.count() == 98
    assert Municipality.objects.get(code="101").name == "København"
    assert Municipality.objects.get(code="510").name == "Haderslev"
    assert Municipality.objects.get(code="851").name == "Aalborg"
    assert Municipality.objects.get(code="400").name == "Bornholm"
    codes = list(Municipality.objects.values_list("code", flat=True))
    assert all(len(code) == 3 and code.isdigit() for code in codes)


def test_administrator_adds_an_ean_and_a_caseworker(admin_client_):
    haderslev = Municipality.objects.get(code="510")
    response = admin_client_.post(
        haderslev.get_absolute_url(), {"action": "ean", "ean": "5798000016095", "label": "Socialafdelingen"}
    )
    assert response.status_code == 302
    ean = haderslev.eans.get()
    assert ean.ean == "5798000016095"
    assert ean.is_default, "the first EAN of a municipality is where invoices go"

    response = admin_client_.post(
        haderslev.get_absolute_url(),
        {
            "action": "caseworker",
            "name": "Hanne Mikkelsen",
            "phone": "74 34 20 11",
            "email": "hm@example.dk",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert haderslev.caseworkers.get().name == "Hanne Mikkelsen"


def test_a_bad_ean_is_refused_with_the_reason_and_nothing_is_lost(admin_client_):
    haderslev = Municipality.objects.get(code="510")
    response = admin_client_.post(
        haderslev.get_absolute_url(), {"action": "ean", "ean": "5798000016091", "label": "Voksenområdet"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "kontrolcifferet passer ikke" in content
    assert 'value="Voksenområdet"' in content
    assert not haderslev.eans.exists()


def test_a_second_default_ean_takes_over_from_the_first(admin_client_):
    haderslev = Municipality.objects.get(code="510")
    admin_client_.post(haderslev.get_absolute_url(), {"action": "ean", "ean": "5798000016095"})
    admin_client_.post(haderslev.get_absolute_url(), {"action": "ean", "ean": "5790000435951", "is_default": "on"})
    defaults = list(haderslev.eans.filter(is_default=True).values_list("ean", flat=True))
    assert defaults == ["5790000435951"]


def test_the_municipality_list_runs_a_constant_number_of_queries(admin_client_, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = admin_client_.get("/kommuner/")
    assert response.status_code == 200
    assert "Albertslund" in response.content.decode()


def test_administrator_records_the_municipality_cvr_and_address(admin_client_):
    haderslev = Municipality.objects.get(code="510")
    data = {
        "action": "invoice_email",
        "cvr": "2918 9608",
        "address": "Gravene 2",
        "postal_code": "6100",
        "city": "Haderslev",
        "invoice_email": "faktura@haderslev.example",
    }
    response = admin_client_.post(haderslev.get_absolute_url(), data)
    assert response.status_code == 200
    assert "kontrolcifferet passer ikke" in response.content.decode()
    data["cvr"] = "2918 9609"
    response = admin_client_.post(haderslev.get_absolute_url(), data)
    assert response.status_code == 302
    haderslev.refresh_from_db()
    assert (haderslev.cvr, haderslev.address, haderslev.city) == ("29189609", "Gravene 2", "Haderslev")

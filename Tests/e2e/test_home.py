"""Each person's home page is their work: with the demo loaded, every role signs in, finds
what waits for them most urgent first, and each item opens its page. axe-core on every page,
and no sideways scroll at 360 px in either language."""
from conftest import check_accessibility, enrol_two_factor, sign_in, visit
from test_grants import demo_accounts


def signed_in(chromium, server, account):
    page = chromium.new_context(viewport={"width": 1024, "height": 800}).new_page()
    sign_in(page, server, *account)
    if "/sign-in/enrol" in page.url:
        enrol_two_factor(page)
    return page


def test_every_role_finds_its_work_and_each_item_opens(server, chromium):
    accounts = demo_accounts(server)
    found = {}
    for role in ("caseWorker", "clubFacilitator", "grantsOfficer", "csoUser", "evaluator", "administrator", "donorViewer"):
        page = signed_in(chromium, server, accounts[role])
        visit(page, server.url + "/")
        items = page.locator("main .work-item a")
        found[role] = items.count()
        if found[role] == 0:
            assert page.locator("main .work-empty").is_visible(), role
        else:
            # The menu's home entry counts what waits; overdue items come first.
            badge = page.locator("nav a[href='/'] .count").inner_text()
            assert int(badge) >= found[role], role
            classes = page.locator("main .work-item").evaluate_all("els => els.map(e => e.className)")
            overdue = [("overdue" in c) for c in classes]
            assert overdue == sorted(overdue, reverse=True), f"{role}: overdue items are not first"
            links = [items.nth(i).get_attribute("href") for i in range(min(found[role], 3))]
            for href in links:
                response = page.goto(server.url + href)
                assert response.status == 200, f"{role}: {href} answered {response.status}"
                check_accessibility(page)
        for language in ("sq", "en"):
            page.context.add_cookies([{"name": "fuqizo_lang", "value": language, "url": server.url}])
            page.set_viewport_size({"width": 360, "height": 800})
            visit(page, server.url + "/")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{role} home page in {language} scrolls sideways ({width} px)"
        page.context.close()
    assert found["caseWorker"] > 0 and found["clubFacilitator"] > 0, found

"""Each person's home page is their work: with the demo loaded, every role signs in, finds
what waits for them most urgent first, and each item opens its page. axe-core on every page,
and no sideways scroll at 360 px in either language."""
from conftest import check_accessibility, enrol_two_factor, sign_in, submit, visit
from test_grants import demo_accounts


def signed_in(chromium, server, account):
    page = chromium.new_context(viewport={"width": 1024, "height": 800}).new_page()
    sign_in(page, server, *account)
    if "/sign-in/enrol" in page.url:
        enrol_two_factor(page)
    return page


def test_every_role_finds_its_work_and_each_item_opens(server, chromium):
    accounts = demo_accounts(server, in_progress=1)
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
            # Every task opens its page; the first few are also checked with axe.
            links = list(dict.fromkeys(items.nth(i).get_attribute("href") for i in range(found[role])))
            for index, href in enumerate(links):
                response = page.goto(server.url + href)
                assert response.status == 200, f"{role}: {href} answered {response.status}"
                if index < 3:
                    check_accessibility(page)
        for language in ("sq", "en"):
            page.context.add_cookies([{"name": "fuqizo_lang", "value": language, "url": server.url}])
            page.set_viewport_size({"width": 360, "height": 800})
            visit(page, server.url + "/")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{role} home page in {language} scrolls sideways ({width} px)"
        page.context.close()
    assert all(found[role] > 0 for role in ("caseWorker", "clubFacilitator", "grantsOfficer", "evaluator")), found


def test_an_irreversible_action_asks_first_with_and_without_script(server, chromium):
    """Deactivating a user: with script a dialog that can be cancelled, without it a
    confirmation page; either way nothing happens until a reason is given."""
    accounts = demo_accounts(server)
    with_script = signed_in(chromium, server, accounts["administrator"])
    visit(with_script, server.url + "/admin/users")
    other = with_script.locator("main tr", has_text=accounts["evaluator"][0]).locator("a").first.get_attribute("href")
    visit(with_script, server.url + other)
    with_script.locator("form[action$='/deactivate'] button").click()
    dialog = with_script.locator("dialog.confirm-dialog")
    dialog.wait_for()
    assert dialog.locator("textarea[name=reason]").is_visible()
    check_accessibility(with_script)
    dialog.locator("[data-cancel]").click()
    dialog.wait_for(state="detached")
    with_script.reload()
    assert with_script.locator("form[action$='/deactivate']").count() == 1, "cancelled: still active"

    # The same administrator's session on a small phone where our script does not run (blocked
    # here rather than switched off, so that axe can still look at the page).
    context = chromium.new_context(viewport={"width": 360, "height": 800})
    context.route("**/confirm.js", lambda route: route.abort())
    context.add_cookies(with_script.context.cookies())
    page = context.new_page()
    visit(page, server.url + "/admin/users")
    target = page.locator("main tr", has_text=accounts["donorViewer"][0]).locator("a").first.get_attribute("href")
    visit(page, server.url + target)
    page.locator("form[action$='/deactivate'] button").click()
    page.wait_for_load_state()
    check_accessibility(page)
    assert page.locator("form.confirm-form textarea[name=reason]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # No reason: the same page again, with the message; the account is still active.
    page.locator("form.confirm-form button[type=submit]").click()
    page.wait_for_load_state()
    check_accessibility(page)
    assert page.locator(".error-summary").count() == 1
    page.fill("form.confirm-form textarea[name=reason]", "Left the donor's office.")
    page.locator("form.confirm-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".notice").count() == 1
    assert page.locator("form[action$='/reactivate']").count() == 1


def test_after_a_failed_submit_the_summary_has_the_focus_and_links_to_each_field(server, chromium):
    accounts = demo_accounts(server)
    page = signed_in(chromium, server, accounts["grantsOfficer"])
    visit(page, server.url + "/organisations/new")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    check_accessibility(page)
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    links = page.locator(".error-summary a")
    assert links.count() == page.locator("main .has-error").count() > 0
    target = links.first.get_attribute("href")[1:]
    links.first.click()
    assert page.evaluate("document.activeElement.id") == target


def test_the_municipality_list_follows_the_chosen_region(server, chromium):
    accounts = demo_accounts(server)
    page = signed_in(chromium, server, accounts["caseWorker"])
    visit(page, server.url + "/survivors/new")
    groups = page.locator("#f-municipalityID optgroup")
    assert groups.count() >= 4, "the four programme regions (and any other municipalities)"
    page.locator("#f-regionID").select_option(index=2)
    region = page.locator("#f-regionID").input_value()
    shown = page.locator("#f-municipalityID optgroup:not([hidden])")
    assert shown.first.get_attribute("data-group") == region
    assert all(g in (region, "") for g in shown.evaluate_all("gs => gs.map(g => g.dataset.group)"))
    assert shown.count() < groups.count()
    # Another region: a municipality chosen from the first one is cleared.
    page.locator("#f-municipalityID").select_option(value=shown.first.locator("option").first.get_attribute("value"))
    page.locator("#f-regionID").select_option(index=1)
    assert page.locator("#f-municipalityID").input_value() == ""
    check_accessibility(page)


def test_an_organisation_asks_for_an_account_and_the_officer_finds_it(server, chromium):
    """The public form, then the grants officer's work list and the request's page."""
    accounts = demo_accounts(server)
    visitor = chromium.new_context(viewport={"width": 360, "height": 800}).new_page()
    visit(visitor, server.url + "/sign-in")
    visitor.locator("main a[href='/register']").click()
    visitor.wait_for_load_state()
    check_accessibility(visitor)
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 360
    visitor.fill("#f-organisationName", "Qendra Shpresa e Re")
    visitor.fill("#f-registrationNumber", "L12345678B")
    visitor.select_option("#f-municipalityID", index=3)
    visitor.fill("#f-contactName", "Mirela Kola")
    visitor.fill("#f-email", "mirela@shpresa.example")
    submit(visitor)
    assert visitor.locator(".notice").count() == 1

    officer = signed_in(chromium, server, accounts["grantsOfficer"])
    visit(officer, server.url + "/")
    officer.locator("main .work-item a[href='/organisations/requests']").click()
    officer.wait_for_load_state()
    check_accessibility(officer)
    officer.locator("main a", has_text="Qendra Shpresa e Re").click()
    officer.wait_for_load_state()
    check_accessibility(officer)
    assert officer.locator("form[action$='/approve'] button").is_disabled(), "not in the registry yet"
    assert officer.locator("main a[href*='/organisations/new?request=']").count() == 1


def test_the_audit_trail_reads_as_sentences_and_scrolls_with_the_keyboard(server, chromium):
    accounts = demo_accounts(server)
    admin = signed_in(chromium, server, accounts["administrator"])
    admin.context.add_cookies([{"name": "fuqizo_lang", "value": "en", "url": server.url}])
    visit(admin, server.url + "/admin/audit?family=signIn")
    first = admin.locator("main table.audit tbody tr").first.inner_text()
    assert "signed in" in first or "password" in first or "refused" in first, first
    # Every entry of the demo's sign-ins reads as a sentence, not as its stored code.
    coded = admin.locator("main table.audit tbody td:nth-child(3)").evaluate_all(
        "cells => cells.filter(c => c.firstChild.textContent.includes(c.querySelector('code').textContent))"
        ".map(c => c.textContent)")
    assert not coded, coded
    region = admin.locator("main .scroll[tabindex='0']")
    region.focus()
    assert admin.evaluate("document.activeElement.getAttribute('role')") == "region"
    with admin.expect_download() as download:
        admin.locator("main a[href^='/admin/audit/export']").click()
    assert download.value.suggested_filename.startswith("fuqizo-audit-")
    admin.set_viewport_size({"width": 360, "height": 800})
    visit(admin, server.url + "/admin/audit")
    assert admin.evaluate("document.documentElement.scrollWidth") <= 360

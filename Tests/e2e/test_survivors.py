"""A survivor's road in a browser: intake with consent, plan, Club session and attendance, a
referral accepted by another CSO that sees only what consent allows, a job and its 3-month
follow-up, the referral consent withdrawn, closure and erasure. axe-core on every page."""
import datetime
import re

from conftest import check_accessibility, enrol_two_factor, sign_in, submit, visit
from test_grants import demo_accounts


def case_worker(chromium, server, account):
    """A case worker's browser, signed in with the second factor they enrol at first sign-in."""
    page = chromium.new_context(viewport={"width": 1024, "height": 800}).new_page()
    sign_in(page, server, *account)
    enrol_two_factor(page)
    return page


SECTIONS = ("summary", "consents", "plan", "referrals", "club", "employment", "notes")


def section(page, record, name):
    """Opens one section of the record (each is a page of its own)."""
    visit(page, record if name == "summary" else f"{record}?section={name}")


def open_form(page, action_suffix):
    """Opens the folded section holding the form that posts to …<action_suffix>."""
    page.locator(f"details:has(form[action$='{action_suffix}']) > summary").click()
    return page.locator(f"form[action$='{action_suffix}']")


def confirm_in_dialog(page, reason=None, code=None):
    """An irreversible action asks in a dialog: what will happen, and why (a reason from a list)."""
    dialog = page.locator("dialog.confirm-dialog")
    dialog.wait_for()
    assert dialog.locator(".consequence").inner_text()
    if reason:
        dialog.locator("select[name=reason]").select_option(reason)
    if code:
        dialog.locator("input[name=confirmCode]").fill(code)
    check_accessibility(page)
    dialog.locator("button[type=submit]").click()
    page.wait_for_load_state()
    check_accessibility(page)


def post(page, form, button=None):
    (form.locator(button) if button else form.locator("button[type=submit]")).first.click()
    page.wait_for_load_state()
    check_accessibility(page)


def test_a_survivor_from_intake_to_erasure(server, chromium):
    accounts = demo_accounts(server)
    worker = case_worker(chromium, server, accounts["caseWorker"])
    partner = case_worker(chromium, server, accounts["caseworker2"])
    facilitator = case_worker(chromium, server, accounts["clubFacilitator"])
    visit(partner, server.url + "/my-organisations")
    partner_id = partner.url.rstrip("/").split("/")[-1]
    partner_name = partner.locator("main h1").inner_text().strip()

    # Intake: identity, statistics and consent.
    visit(worker, server.url + "/survivors/new")
    worker.fill("#f-firstName", "Teuta")
    worker.fill("#f-lastName", "Provëtare")
    worker.fill("#f-birthDate", "1993-04-21")
    worker.fill("#f-phone", "+355 69 555 0101")
    worker.fill("#f-address", "Rruga e Provës 7")
    worker.select_option("#f-sex", "female")
    worker.select_option("#f-regionID", index=2)
    worker.select_option("#f-harm", "trafficking")
    worker.select_option("#f-referralSource", "police")
    for purpose in ("services", "club", "statistics"):
        worker.check(f"input[name='consents[]'][value='{purpose}']")
    worker.fill("#f-consentFormVersion", "2026-v1")
    submit(worker)
    code = worker.locator("h1 .code").inner_text()
    assert re.fullmatch(r"[A-Z]{2}-\d{4}-\d{4}", code)
    assert "Teuta" not in worker.locator("main").inner_text(), "identity only on reveal"
    assert code not in worker.title()
    record = worker.url

    # The record opens on its summary and timeline; reveal is on the identity section, audited.
    assert worker.locator("ol.timeline li").count() >= 1
    section(worker, record, "consents")
    post(worker, worker.locator("form[action$='/reveal']"))
    assert "Provëtare" in worker.locator("main").inner_text()

    # The plan.
    section(worker, record, "plan")
    form = open_form(worker, "/plan")
    form.locator("#f-area").select_option("employment")
    form.locator("#f-goal").fill("Punë në një pastiçeri")
    form.locator("#f-step").fill("Kurs pastiçerie")
    form.locator("#f-dueDate").fill((datetime.date.today() + datetime.timedelta(days=30)).isoformat())
    post(worker, form)
    assert "Punë në një pastiçeri" in worker.locator("main").inner_text()

    # The Club: membership, a session, an invitation.
    section(worker, record, "club")
    post(worker, worker.locator("form[action$='/club/join']"))
    visit(worker, server.url + "/club")
    worker.select_option("#f-kind", "jobReadiness")
    worker.fill("#f-date", datetime.date.today().isoformat())
    worker.fill("#f-place", "Qendra e Klubit")
    worker.select_option("#f-facilitatorID", label="Demo clubfacilitator")
    submit(worker)
    session = worker.url
    worker.check(f"input[name='codes[]'][value='{code}']")
    post(worker, worker.locator("form[action$='/members']"))

    # The facilitator sees the code and the first name only, and takes attendance.
    visit(facilitator, session)
    text = facilitator.locator("main").inner_text()
    assert code in text and "Teuta" in text and "Provëtare" not in text and "555 0101" not in text
    facilitator.locator("label", has_text=code).locator("input").check()
    post(facilitator, facilitator.locator("form[action$='/attendance']"))
    assert facilitator.locator("label", has_text=code).locator("input").is_checked()

    # A referral under a consent that shares the first name and the phone. The recipient is
    # found by a search the server answers (no list of every organisation), and the search
    # keeps what was typed in the rest of the form.
    section(worker, record, "consents")
    form = open_form(worker, "/consents")
    form.locator("#f-purpose").select_option("referral")
    form.locator("input[name=find-recipientID]").fill(partner_name)
    form.locator("select[name=find-recipientID-region]").select_option("")  # the partner may work in another region
    form.locator("button[value=find]").click()
    worker.wait_for_load_state()
    check_accessibility(worker)
    form = worker.locator("form[action$='/consents']")
    assert form.locator("#f-purpose").input_value() == "referral"
    assert form.locator("#f-recipientID option").count() <= 51
    form.locator("#f-recipientID").select_option(partner_id)
    form.locator("#f-formVersion").fill("2026-v1")
    form.locator("input[name='sharedFields[]'][value='firstName']").check()
    form.locator("input[name='sharedFields[]'][value='phone']").check()
    post(worker, form, "button[type=submit]:not([value=find])")
    section(worker, record, "referrals")
    form = open_form(worker, "/referrals")
    form.locator("#f-consentID").select_option(index=1)
    form.locator("#f-service").select_option("vocationalTraining")
    post(worker, form)

    visit(partner, server.url + "/referrals")
    partner.locator("main a", has_text=code).click()
    partner.wait_for_load_state()
    check_accessibility(partner)
    referral = partner.url
    text = partner.locator("main").inner_text()
    assert "Teuta" in text and "+355 69 555 0101" in text
    assert "Provëtare" not in text and "Rruga e Provës" not in text
    post(partner, partner.locator("form[action$='/accepted']"))
    visit(partner, server.url + f"/survivors/{code}")  # the referral opens nothing else
    assert "Teuta" not in partner.locator("main").inner_text()

    # A job that started 100 days ago: its 3-month follow-up is due.
    section(worker, record, "employment")
    form = open_form(worker, "/employment")
    form.locator("#f-kind").select_option("jobPlacement")
    form.locator("#f-sector").select_option("hospitality")
    form.locator("#f-startDate").fill((datetime.date.today() - datetime.timedelta(days=100)).isoformat())
    form.locator("#f-contractType").select_option("fixedTerm")
    form.locator("#f-wageBand").select_option("from30000to45000")
    post(worker, form)
    visit(worker, server.url + "/survivors")
    assert worker.locator("section.followups li").count() > 0, "the caseload lists follow-ups due"
    section(worker, record, "employment")
    assert worker.locator("li.followup-due").count() == 1 and worker.locator("li.followup-upcoming").count() == 2
    post(worker, worker.locator("form[action*='/follow-ups/']"), "button[value=yes]")
    assert worker.locator("li.followup-done").count() == 1

    # Every section, at 360 px and in both languages, stays within the screen.
    for language in ("sq", "en"):
        worker.context.add_cookies([{"name": "fuqizo_lang", "value": language, "url": server.url}])
        worker.set_viewport_size({"width": 360, "height": 800})
        for name in SECTIONS:
            section(worker, record, name)
            width = worker.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"the {name} section in {language} scrolls sideways ({width} px)"
    worker.context.add_cookies([{"name": "fuqizo_lang", "value": "sq", "url": server.url}])
    worker.set_viewport_size({"width": 1024, "height": 800})

    # Consent to the referral withdrawn: the partner sees nothing of the identity any more.
    section(worker, record, "consents")
    worker.locator("tr", has_text="Referim").locator("form[action$='/withdraw'] button").click()
    confirm_in_dialog(worker, reason="survivorAsked")
    assert worker.locator("tr", has_text="Referim").locator("form[action$='/withdraw']").count() == 0
    visit(partner, referral)
    assert "Teuta" not in partner.locator("main").inner_text()

    # Closure, then erasure on request (from the summary).
    section(worker, record, "summary")
    worker.select_option("#f-reason", "employed")
    worker.locator("form[action$='/close'] button[type=submit]").click()
    assert worker.locator("dialog.confirm-dialog select[name=reason]").input_value() == "employed"
    confirm_in_dialog(worker)
    form = open_form(worker, "/erase")
    form.locator("button[type=submit]").click()
    confirm_in_dialog(worker, reason="survivorAsked", code=code)
    section(worker, record, "consents")
    assert worker.locator("form[action$='/reveal']").count() == 0
    assert code in worker.locator("main").inner_text()
    visit(facilitator, session)
    assert "Teuta" not in facilitator.locator("main").inner_text()
    result = server.cli("audit", "verify")
    assert result.returncode == 0, result.stdout + result.stderr

    # The programme's survivor figures: counts only, no record named, small cells hidden.
    manager = chromium.new_context(viewport={"width": 1024, "height": 800}).new_page()
    sign_in(manager, server, *accounts["programmeManager"])
    visit(manager, server.url + "/statistics/survivors")
    assert manager.locator("main table").count() == 5
    assert code not in manager.locator("main").inner_text()

    # The master key cannot be rotated under a running server.
    result = server.cli("keys", "rotate")
    assert result.returncode == 1 and "locked" in result.stdout + result.stderr, result.stdout + result.stderr

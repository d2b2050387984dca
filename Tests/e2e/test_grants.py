"""The grant scheme in a browser: a call published and read by the public; a CSO applying
with autosave and attachments; the whole selection cycle from a two-stage call to the letters.
axe-core on every page."""
import sqlite3
import time

from conftest import check_accessibility, create_administrator, enrol_two_factor, sign_in, submit, visit


def test_officer_publishes_a_call_the_public_can_read(server, page, chromium):
    create_administrator(page, server)
    sign_in(page, server, "admin@fuqizo.test")
    enrol_two_factor(page)

    visit(page, server.url + "/grants/calls/new")
    page.fill("#f-reference", "CFP-2099-01")
    page.fill("#f-titleSq", "Fuqizimi ekonomik i të mbijetuarave")
    page.fill("#f-titleEn", "Economic empowerment of survivors")
    page.fill("#f-eligibleApplicants", "Shoqata të regjistruara në Shqipëri")
    page.fill("#f-eligibleActivities", "Formim profesional\nPunësim")
    page.fill("#f-eligibleApplicantsEn", "Associations registered in Albania")
    page.fill("#f-eligibleActivitiesEn", "Vocational training\nEmployment")
    page.fill("#f-questionsDate", "2099-05-20")
    page.fill("#f-conceptDate", "2099-06-03")
    page.fill("#f-fullDate", "2099-08-01")
    page.fill("#lot-1-envelope", "150000")
    submit(page)
    # Three lots keep their region's name but have no envelope: the form says so and keeps what was typed.
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#lot-1-envelope").input_value() == "150000"
    for index in (0, 2, 3):
        page.fill(f"#lot-{index}-envelope", "100000")
    submit(page)
    assert page.locator("h1").inner_text() == "Fuqizimi ekonomik i të mbijetuarave"
    call_page = page.url
    # The concept-note grid is edited before publication: a stricter threshold.
    visit(page, call_page + "/grid/concept")
    page.fill("#f-threshold", "32")
    submit(page)
    assert page.url == call_page
    assert "32" in page.locator("main").inner_text()
    page.locator("main form[action$='/publish'] button").click()
    page.wait_for_load_state()
    check_accessibility(page)
    public_link = page.locator("main a[href^='/calls/']").get_attribute("href")

    visitor = chromium.new_context().new_page()
    visit(visitor, server.url + "/calls")
    assert "CFP-2099-01" in visitor.locator("main").inner_text()
    visit(visitor, server.url + public_link)
    text = visitor.locator("main").inner_text()
    assert "450.000,00 €" in text.replace("\u00a0", " ") and "03.06.2099 16:00" in text


def demo_accounts(server, in_progress=0):
    """Loads the demo dataset into the running server's database; returns role → (email, password).
    Without the calls in progress unless asked: the grants tests run their own calls."""
    result = server.cli("demo", "--organisations", "8", "--calls-in-progress", str(in_progress))
    assert result.returncode == 0, result.stdout + result.stderr
    accounts = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and "@demo.fuqizo.invalid" in parts[1]:
            # By role for the first of each, and by the address's name for every one.
            accounts.setdefault(parts[0], (parts[1], parts[2]))
            accounts[parts[1].split("@")[0]] = (parts[1], parts[2])
    return accounts


def test_cso_applies_with_autosave_and_gets_a_receipt(server, mailbox, page):
    accounts = demo_accounts(server)
    email, password = accounts["csoUser"]
    sign_in(page, server, email, password)
    visit(page, server.url + "/applications")
    page.locator("main section form select[name=lotID]").first.select_option(index=1)
    page.locator("main section form button[type=submit]").first.click()
    page.wait_for_load_state()
    check_accessibility(page)
    application = page.url

    # Typing is saved by the script without pressing a button; a reload shows it.
    page.fill("#f-title", "Punë dhe pavarësi për gratë")
    page.locator("#autosave-status").filter(has_text=":").wait_for(timeout=15000)
    page.reload()
    assert page.locator("#f-title").input_value() == "Punë dhe pavarësi për gratë"

    # Submitting an incomplete concept note lists what is missing, next to each field.
    page.locator("main form button[value=submit]").click()
    page.wait_for_load_state()
    check_accessibility(page)
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#f-summary").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-title").input_value() == "Punë dhe pavarësi për gratë"

    # A document is attached; its content, not its name, decides whether it is accepted. What was
    # typed just before (no time for the script to save it) is kept: it goes with the file.
    page.fill("#f-problem", "Shkruar pak para se të bashkëngjitej skedari.")
    page.fill("#f-label", "Statuti")
    page.set_input_files("#f-file", files=[{"name": "statuti.pdf", "mimeType": "application/pdf",
                                            "buffer": b"MZ\x90\x00 not a pdf"}])
    page.locator("main button[value=attach]").click()
    page.wait_for_load_state()
    check_accessibility(page)
    assert page.locator("#f-file").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-problem").input_value() == "Shkruar pak para se të bashkëngjitej skedari."
    page.set_input_files("#f-file", files=[{"name": "statuti.pdf", "mimeType": "application/pdf",
                                            "buffer": b"%PDF-1.4\n%%EOF\n"}])
    page.locator("main button[value=attach]").click()
    page.wait_for_load_state()
    check_accessibility(page)
    assert page.locator("main a[download]", has_text="Statuti").count() == 1
    assert page.locator("#f-problem").input_value() == "Shkruar pak para se të bashkëngjitej skedari."

    page.fill("#f-summary", "Trajnim profesional dhe punësim për 30 gra të mbijetuara.")
    page.fill("#f-problem", "Gratë e mbijetuara gjejnë rrallë punë të qëndrueshme.")
    page.fill("#f-activities", "Trajnime, praktika me punëdhënës, ndërmjetësim pune.")
    page.fill("#f-requested", "40000")
    page.locator("main form button[value=submit]").click()
    page.wait_for_load_state()
    check_accessibility(page)
    reference = page.locator("main dl.facts dd strong").inner_text()
    assert reference.startswith("APP-") and reference.endswith("-001")
    digest = page.locator("main code.secret").inner_text()
    mail = mailbox.wait_for(email, containing=reference)
    assert digest in mail
    assert "Punë dhe pavarësi" not in mail

    # Read-only afterwards.
    visit(page, application)
    assert page.locator("#f-title").count() == 0
    assert "Punë dhe pavarësi për gratë" in page.locator("main").inner_text()


def move_deadline_into_the_past(server, reference, column):
    """Time passes: the call's deadline is set a minute ago, as if the day had come."""
    with sqlite3.connect(f"{server.data_dir}/fuqizo.sqlite") as connection:
        connection.execute(f"UPDATE grant_calls SET {column} = ? WHERE reference = ?", (time.time() - 60, reference))


def signed_in(chromium, server, account):
    page = chromium.new_context(viewport={"width": 1024, "height": 800}).new_page()
    sign_in(page, server, *account)
    return page


def pass_checks(page, server, application_href):
    """The officer answers yes to every item of both checks of one application."""
    for kind in ("administrative", "eligibility"):
        visit(page, server.url + application_href)
        form = page.locator(f"form[action$='/checks/{kind}']")
        for radio in form.locator("input[type=radio][value=yes]").all():
            radio.check()
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        check_accessibility(page)
        assert page.locator(".notice").count() == 1


def evaluate_open_assignments(page, server, score_for, conflict_first=False):
    """An evaluator works through their list: declaration first, then every criterion scored with a comment."""
    visit(page, server.url + "/evaluation")
    rows = page.locator("main tbody tr")
    hrefs = [rows.nth(i).locator("a").get_attribute("href") for i in range(rows.count())
             if not any(word in rows.nth(i).inner_text() for word in ("Vlerësuar", "Konflikt"))]
    for index, href in enumerate(hrefs):
        visit(page, server.url + href)
        assert page.locator("textarea[name^=comment-]").count() == 0, "nothing before the declaration"
        if conflict_first and index == 0:
            page.check("input[name=answer][value=conflict]")
            page.fill("#f-reason", "Kam punuar për këtë organizatë.")
            submit(page)
            continue
        page.check("input[name=answer][value=impartial]")
        submit(page)
        score = score_for(page.locator("main").inner_text())
        for select in page.locator("select[name^=score-]").all():
            select.select_option(str(score))
        for comment in page.locator("textarea[name^=comment-]").all():
            comment.fill("Argumentim i shkurtër.")
        page.locator("button[value=submit]").click()
        page.wait_for_load_state()
        check_accessibility(page)


def test_whole_selection_cycle(server, mailbox, page, chromium):
    accounts = demo_accounts(server)
    reference = "CFP-2099-07"

    # The officer creates a two-stage call with two lots and publishes it.
    officer = signed_in(chromium, server, accounts["grantsOfficer"])
    visit(officer, server.url + "/grants/calls/new")
    for field, value in (("#f-reference", reference), ("#f-titleSq", "Punë për të mbijetuarat"), ("#f-titleEn", "Work for survivors"),
                         ("#f-eligibleApplicants", "Shoqata të regjistruara"), ("#f-eligibleActivities", "Formim profesional"),
                         ("#f-eligibleApplicantsEn", "Registered associations"), ("#f-eligibleActivitiesEn", "Vocational training"),
                         ("#f-questionsDate", "2099-05-20"), ("#f-conceptDate", "2099-06-03"), ("#f-fullDate", "2099-08-01"),
                         ("#lot-0-envelope", ""), ("#lot-1-envelope", "60000"), ("#lot-2-envelope", "100000"), ("#lot-3-envelope", "")):
        officer.fill(field, value)
    officer.fill("#lot-0-nameSq", "")
    officer.fill("#lot-3-nameSq", "")
    submit(officer)
    call_page = officer.url
    officer.locator("main form[action$='/publish'] button").click()
    officer.wait_for_load_state()
    check_accessibility(officer)
    call_id = call_page.rstrip("/").split("/")[-1]

    # Two CSOs apply to the Kukës lot in time; a third is too late.
    def apply(account, title, requested):
        cso = signed_in(chromium, server, account)
        visit(cso, server.url + "/applications")
        section = cso.locator("main section", has_text=reference)
        section.locator("select[name=lotID]").select_option(label="Kukës")
        section.locator("button[type=submit]").click()
        cso.wait_for_load_state()
        check_accessibility(cso)
        for field, value in (("#f-title", title), ("#f-summary", "Trajnim dhe punësim."), ("#f-problem", "Papunësia e grave."),
                             ("#f-activities", "Kurse dhe praktika."), ("#f-requested", requested)):
            cso.fill(field, value)
        return cso

    first = apply(accounts["csoUser"], "Drita: punë për gratë", "40000")
    first.locator("main form button[value=submit]").click()
    first.wait_for_load_state()
    check_accessibility(first)
    first_reference = first.locator("main dl.facts dd strong").inner_text()
    second = apply(accounts["csouser2"], "Ura: aftësi për punë", "35000")
    second.locator("main form button[value=submit]").click()
    second.wait_for_load_state()
    second_reference = second.locator("main dl.facts dd strong").inner_text()
    late = apply(accounts["csouser3"], "Vonë: projekti i tretë", "30000")
    move_deadline_into_the_past(server, reference, "concept_deadline")
    late.locator("main form button[value=submit]").click()
    late.wait_for_load_state()
    check_accessibility(late)
    assert "Afati i dorëzimit ka kaluar" in late.locator("main").inner_text()
    assert late.locator("main dl.facts dd").first.inner_text() == "Pa dorëzuar"

    # Checks of both concept notes.
    visit(officer, f"{server.url}/grants/calls/{call_id}/applications")
    links = [a.get_attribute("href") for a in officer.locator("main tbody a").all()]
    assert len(links) == 2
    for href in links:
        pass_checks(officer, server, href)

    # The committee: an even panel is refused, three evaluators start the concept-note evaluation.
    committee = f"{server.url}/grants/calls/{call_id}/committee"
    visit(officer, committee)
    officer.select_option("#f-chair", label="Demo programmemanager")
    officer.select_option("#f-secretary", label="Demo administrator")
    officer.check("input[name='evaluators[]'] >> nth=0")
    officer.check("input[name='evaluators[]'] >> nth=1")
    submit(officer)
    # The start button is there but disabled, with the reason beside it.
    blocked = officer.locator("main button[disabled][aria-describedby='start-concept-why']")
    assert blocked.count() == 1 and officer.locator("form[action$='/evaluation/concept/start']").count() == 0
    assert "nuk mund të fillojë" in officer.locator("#start-concept-why").inner_text()
    assert "duhet të jetë tek" in officer.locator("main").inner_text()
    officer.check("input[name='evaluators[]'] >> nth=2")
    officer.locator("main form[action$='/committee'] button[type=submit]").click()
    officer.wait_for_load_state()
    officer.locator("form[action$='/evaluation/concept/start'] button").click()
    officer.wait_for_load_state()
    check_accessibility(officer)
    assert "/ranking/concept" in officer.url

    evaluators = [signed_in(chromium, server, accounts[name]) for name in ("evaluator", "evaluator2", "evaluator3")]
    scores = lambda text: 4 if "Drita" in text else 3
    for evaluator in evaluators:
        evaluate_open_assignments(evaluator, server, scores)

    # The chair approves the pre-selection; the officer records it and sends the letters.
    chair = signed_in(chromium, server, accounts["programmeManager"])
    visit(chair, f"{server.url}/grants/calls/{call_id}/ranking/concept")
    chair.locator("form[action$='/approve'] button").click()
    chair.wait_for_load_state()
    check_accessibility(chair)
    visit(officer, f"{server.url}/grants/calls/{call_id}/ranking/concept")
    officer.fill("#f-decisionDate", time.strftime("%Y-%m-%d"))
    officer.locator("form[action$='/decision'] button").click()
    officer.wait_for_load_state()
    check_accessibility(officer)
    officer.locator("form[action$='/letters/send'] button").click()
    officer.wait_for_load_state()
    check_accessibility(officer)
    assert first_reference in mailbox.wait_for(accounts["csoUser"][0], containing="u parazgjodh")

    # Both pre-selected CSOs complete their full applications.
    def full_application(cso, requested):
        visit(cso, server.url + "/applications")
        cso.locator("main tbody a", has_text=reference.replace("CFP", "APP")[:11]).first.click()
        cso.wait_for_load_state()
        check_accessibility(cso)
        for field, value in (("#f-workPlan", "Muajt 1–12."), ("#f-partners", "Asnjë."), ("#f-sustainability", "Punëdhënës vendas."),
                             ("#f-objective", "Gra në punë."), ("#r0-result", "Gra të trajnuara"), ("#r0-indicator", "Certifikata"),
                             ("#r0-baseline", "0"), ("#r0-target", "30"), ("#l0-description", "Trajnerë"), ("#l0-units", "12"),
                             ("#l0-unitCost", "3500"), ("#f-requested", requested)):
            cso.fill(field, value)
        cso.select_option("#l0-heading", "humanResources")
        cso.locator("main form button[value=submit]").click()
        cso.wait_for_load_state()
        check_accessibility(cso)
        assert "/receipt" in cso.url, cso.locator("main").inner_text()[:500]

    full_application(first, "37000")
    full_application(second, "35000")
    move_deadline_into_the_past(server, reference, "full_deadline")
    for href in links:
        pass_checks(officer, server, href)
    visit(officer, committee)
    officer.locator("form[action$='/evaluation/full/start'] button").click()
    officer.wait_for_load_state()
    check_accessibility(officer)

    # Full applications: the first evaluator declares a conflict; the officer assigns someone else.
    evaluate_open_assignments(evaluators[0], server, scores, conflict_first=True)
    for href in links:
        visit(officer, server.url + href)
        if officer.locator("form[action$='/evaluators']").count():
            officer.locator("form[action$='/evaluators'] button").click()
            officer.wait_for_load_state()
            check_accessibility(officer)
    for evaluator in evaluators:
        evaluate_open_assignments(evaluator, server, scores)

    # Kukës has 60,000: the first (37,000) is awarded; the second (35,000) does not fit and is on the reserve list.
    visit(chair, f"{server.url}/grants/calls/{call_id}/ranking/full")
    chair.locator("form[action$='/approve'] button").click()
    chair.wait_for_load_state()
    visit(officer, f"{server.url}/grants/calls/{call_id}/ranking/full")
    text = officer.locator("main").inner_text()
    assert "Fitues" in text and "Rezervë" in text
    officer.fill("#f-decisionDate", time.strftime("%Y-%m-%d"))
    officer.locator("form[action$='/decision'] button").click()
    officer.wait_for_load_state()
    check_accessibility(officer)
    officer.locator("form[action$='/letters/send'] button").click()
    officer.wait_for_load_state()
    check_accessibility(officer)
    assert "përzgjodh për grant" in mailbox.wait_for(accounts["csoUser"][0], containing="u përzgjodh për grant")
    assert "listën rezervë" in mailbox.wait_for(accounts["csouser2"][0], containing="rezervë")
    visit(officer, f"{server.url}/grants/calls/{call_id}/letters")
    assert officer.locator("main tbody tr").count() == 4

import Fluent
import Foundation
import FuqizoCore
import Vapor

/// Sign-in (password, then a second factor where needed), sign-out, first-run setup,
/// invitations and the language switch.
struct SignInController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("sign-in", use: signInPage).access(.viewPublic)
        routes.post("sign-in", use: signIn).access(.viewPublic)
        routes.get("sign-in", "code", use: codePage).access(.viewPublic)
        routes.post("sign-in", "code", use: submitCode).access(.viewPublic)
        routes.get("sign-in", "enrol", use: enrolPage).access(.viewPublic)
        routes.post("sign-in", "enrol", use: confirmEnrolment).access(.viewPublic)
        routes.post("sign-out", use: signOut).access(.viewPublic)
        routes.post("language", use: switchLanguage).access(.viewPublic)
    }

    static func identity(_ req: Request) -> IdentityService {
        IdentityService(database: req.db, services: req.services, passwords: req.application.passwordHasher)
    }

    // MARK: password step

    struct SignInForm: Content {
        var email: String = ""
        var password: String = ""
        var next: String? = nil

        init(from decoder: any Decoder) throws {
            let form = try decoder.container(keyedBy: CodingKeys.self)
            email = try form.text(.email)
            password = try form.text(.password)
            next = try form.decodeIfPresent(String.self, forKey: .next)
        }
    }

    struct SignInPage: Encodable {
        let fields: [FieldContext]
        let next: String
        let errorKey: String?
        let noticeKey: String?
    }

    private func renderSignIn(_ req: Request, email: String = "", next: String, error: String? = nil,
                              notice: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let fields = [
            FieldContext("email", label: "field.email", kind: "email", value: email, required: true, autocomplete: "username"),
            FieldContext("password", label: "field.password", kind: "password", required: true, autocomplete: "current-password"),
        ]
        return try await req.page("identity/sign-in", title: "signIn.title",
                                  SignInPage(fields: fields, next: next, errorKey: error, noticeKey: notice), status: status)
    }

    func signInPage(req: Request) async throws -> Response {
        if req.signedIn != nil { return req.redirect(to: "/") }
        let next = Request.safeLocalPath(req.query[String.self, at: "next"])
        let notice = req.query[String.self, at: "expired"] != nil || req.sessionExpired ? "signIn.expired" : nil
        return try await renderSignIn(req, next: next, notice: notice)
    }

    func signIn(req: Request) async throws -> Response {
        let form = try req.form(SignInForm.self)
        let next = Request.safeLocalPath(form.next)
        let address = req.clientAddress
        switch try await Self.identity(req).signIn(email: form.email, password: form.password, address: address) {
        case .refused:
            return try await renderSignIn(req, email: form.email, next: next, error: "signIn.error.refused", status: .unauthorized)
        case .throttled:
            return try await renderSignIn(req, email: form.email, next: next, error: "signIn.error.throttled", status: .tooManyRequests)
        case .accepted(let user, let stage):
            if let old = req.pendingSignIn?.record ?? req.signedIn?.record { try await old.end(on: req.db) }
            let token = try await Self.identity(req).startSession(for: user, stage: stage)
            let target: String = switch stage {
            case .active: next
            case .awaitingSecondFactor: "\(SiteURL.signInCode.path)?next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")"
            case .mustEnrolSecondFactor: SiteURL.signInEnrol.path
            }
            let response = req.redirect(to: target)
            if let language = Language(code: user.preferredLanguage) { Self.setLanguageCookie(language, on: response, req) }
            SessionMiddleware.setCookie(token, on: response, request: req)
            return response
        }
    }

    // MARK: second factor

    struct CodePage: Encodable {
        let fields: [FieldContext]
        let next: String
        let errorKey: String?
    }

    func codePage(req: Request) async throws -> Response {
        guard req.pendingSignIn?.stage == .awaitingSecondFactor else { return req.redirect(to: .signIn) }
        return try await renderCode(req, next: Request.safeLocalPath(req.query[String.self, at: "next"]))
    }

    private func renderCode(_ req: Request, next: String, error: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let fields = [FieldContext("code", label: "field.code", kind: "code", required: true, hint: "signIn.code.hint", autocomplete: "one-time-code")]
        return try await req.page("identity/code", title: "signIn.code.title", CodePage(fields: fields, next: next, errorKey: error), status: status)
    }

    struct CodeForm: Content {
        var code: String = ""
        var next: String? = nil

        init(from decoder: any Decoder) throws {
            let form = try decoder.container(keyedBy: CodingKeys.self)
            code = try form.text(.code)
            next = try form.decodeIfPresent(String.self, forKey: .next)
        }
    }

    func submitCode(req: Request) async throws -> Response {
        guard let pending = req.pendingSignIn, pending.stage == .awaitingSecondFactor else { return req.redirect(to: .signIn) }
        let form = try req.form(CodeForm.self)
        let next = Request.safeLocalPath(form.next)
        let identity = Self.identity(req)
        switch try await identity.verifySecondFactor(user: try await pending.user(on: req.db), code: form.code, address: req.clientAddress) {
        case .accepted:
            let token = try await identity.activate(pending.record)
            let response = req.redirect(to: next)
            SessionMiddleware.setCookie(token, on: response, request: req)
            return response
        case .refused:
            return try await renderCode(req, next: next, error: "signIn.code.error", status: .unauthorized)
        case .throttled:
            return try await renderCode(req, next: next, error: "signIn.error.throttled", status: .tooManyRequests)
        case .locked:
            try await pending.record.end(on: req.db)
            let response = try await renderSignIn(req, next: next, error: "signIn.error.refused", status: .unauthorized)
            SessionMiddleware.expireCookie(on: response, request: req)
            return response
        }
    }

    // MARK: enrolment

    struct EnrolPage: Encodable {
        let secretGroups: String
        let uri: String
        /// The enrolment link as a QR code, an SVG data URI for an `<img>`.
        let qrImage: String?
        let fields: [FieldContext]
        let action: String
        let errorKey: String?
    }

    struct RecoveryCodesPage: Encodable {
        let codes: [String]
        let continueTo: String
        /// The codes as a text file to keep, built in the page: they are shown once and the
        /// server keeps only their digests.
        let download: String

        init(codes: [String], continueTo: String) {
            self.codes = codes
            self.continueTo = continueTo
            let text = (["Fuqizo"] + codes).joined(separator: "\r\n") + "\r\n"
            download = "data:text/plain;charset=utf-8," + (text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        }
    }

    /// The enrolment page, shared by the mandatory path at sign-in and the optional one in
    /// the account settings.
    static func renderEnrolment(_ req: Request, user: User, action: String, error: String? = nil,
                                status: HTTPResponseStatus = .ok) async throws -> Response {
        let totp = try await identity(req).pendingTOTP(for: user)
        let secret = Base32.encode(totp.secret)
        let groups = stride(from: 0, to: secret.count, by: 4).map { index -> String in
            let start = secret.index(secret.startIndex, offsetBy: index)
            return String(secret[start..<secret.index(start, offsetBy: min(4, secret.count - index))])
        }.joined(separator: " ")
        let settings = try await SettingsService(database: req.db, services: req.services).current()
        // Apps show the issuer and the account, "Fuqizo (name@example.org)", so that someone
        // with several accounts tells them apart: the address, never the person's name.
        let uri = totp.provisioningURI(issuer: settings.name(.sq), account: user.email)
        let fields = [FieldContext("code", label: "field.code", kind: "code", required: true, hint: "enrol.code.hint", autocomplete: "one-time-code")]
        let qrImage = (try? QRCode(text: uri)).map { "data:image/svg+xml;base64," + Data($0.svg().utf8).base64EncodedString() }
        return try await req.page("identity/enrol", title: "enrol.title",
                                  EnrolPage(secretGroups: groups, uri: uri, qrImage: qrImage, fields: fields, action: action, errorKey: error), status: status)
    }

    func enrolPage(req: Request) async throws -> Response {
        guard let pending = req.pendingSignIn, pending.stage == .mustEnrolSecondFactor else { return req.redirect(to: .signIn) }
        return try await Self.renderEnrolment(req, user: try await pending.user(on: req.db), action: SiteURL.signInEnrol.path)
    }

    func confirmEnrolment(req: Request) async throws -> Response {
        guard let pending = req.pendingSignIn, pending.stage == .mustEnrolSecondFactor else { return req.redirect(to: .signIn) }
        let form = try req.form(CodeForm.self)
        let identity = Self.identity(req)
        let user = try await pending.user(on: req.db)
        guard let codes = try await identity.confirmEnrolment(user: user, code: form.code) else {
            return try await Self.renderEnrolment(req, user: user, action: SiteURL.signInEnrol.path, error: "enrol.code.error", status: .badRequest)
        }
        let token = try await identity.activate(pending.record)
        let response = try await req.page("identity/recovery-codes", title: "recovery.title",
                                          RecoveryCodesPage(codes: codes, continueTo: "/"), status: .ok)
        SessionMiddleware.setCookie(token, on: response, request: req)
        return response
    }

    // MARK: sign-out

    func signOut(req: Request) async throws -> Response {
        if let session = req.signedIn?.record ?? req.pendingSignIn?.record {
            try await Self.identity(req).endSession(session, actor: req.signedIn?.actor.userID, reason: "signOut")
        }
        let response = Flash.redirect(req, to: .signIn, flash: "signOut.done")
        SessionMiddleware.expireCookie(on: response, request: req)
        return response
    }

    // MARK: language

    struct LanguageForm: Content {
        var language: String?
        var returnTo: String?
    }

    func switchLanguage(req: Request) async throws -> Response {
        let form = try req.form(LanguageForm.self)
        let language = form.language.flatMap(Language.init(code:)) ?? .default
        if let userID = req.signedIn?.userID {
            try await Self.identity(req).setPreferredLanguage(language, of: userID)
        }
        let response = req.redirect(to: Request.safeLocalPath(form.returnTo))
        Self.setLanguageCookie(language, on: response, req)
        return response
    }

    static func setLanguageCookie(_ language: Language, on response: Response, _ req: Request) {
        response.cookies[LanguageMiddleware.cookieName] = HTTPCookies.Value(
            string: language.rawValue, maxAge: 365 * 24 * 3600, path: "/", isSecure: req.services.config.usesHTTPS,
            isHTTPOnly: true, sameSite: .lax)
    }
}

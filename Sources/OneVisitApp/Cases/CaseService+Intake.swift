import FluentKit
import Foundation
import HummingbirdBcrypt
import OneVisitDomain

extension CaseService {
    struct Application: Sendable {
        var implementationID: UUID
        var formData: [String: String]
        /// Uploaded files by material position.
        var files: [Int: MultipartForm.File]
        var deliveryMode: ServiceTerms.Delivery
        var deliveryAddress: String
    }

    /// The applicant as the platform knows them, to pre-fill forms (R7.3.1).
    struct KnownApplicant: Sendable {
        var name: String
        var idNumber: String?
        var creditCode: String?
        var phone: String
        var legalRepresentative: String?
    }

    static func knownApplicant(_ account: AccountModel) -> KnownApplicant {
        KnownApplicant(name: account.displayName, idNumber: account.idNumber, creditCode: account.creditCode,
                       phone: account.phone ?? account.loginName, legalRepresentative: account.legalRepresentative)
    }

    /// Values the platform already holds for a form field, matched by the field's name.
    static func prefill(field: String, from known: KnownApplicant) -> String? {
        switch field {
        case _ where field.contains("统一社会信用代码"): known.creditCode
        case _ where field.contains("身份证") || field.contains("证件号码"): known.idNumber
        case _ where field.contains("电话") || field.contains("手机"): known.phone
        case _ where field.contains("法定代表人"): known.legalRepresentative
        case "申请人", "申请人姓名", "姓名", "经营者名称", "单位名称", "企业名称": known.name
        default: nil
        }
    }

    /// An online application (R7.3): materials the platform obtains itself are not asked
    /// for (R8.1.2); uploads are checked by content and stored by hash; the electronic
    /// receipt gives the case number and what happens next (R7.3.2).
    func submitOnline(_ application: Application, applicant: Principal, address: String) async throws -> CaseModel {
        guard applicant.role == .applicant else { throw AppError.forbidden }
        let stored = try store(application.files)
        let now = clock.now
        let day = today
        return try await persistence.transaction { tx in
            guard let account = try await AccountModel.find(applicant.accountID, on: tx) else { throw AppError.unauthenticated }
            let (version, definition) = try await self.publishedGuide(application.implementationID, on: tx)
            try Self.checkDelivery(application.deliveryMode, address: application.deliveryAddress, definition: definition)
            let c = try await self.newCase(version: version, definition: definition, account: account, channel: .online, form: application.formData,
                                           deliveryMode: application.deliveryMode, deliveryAddress: application.deliveryAddress, now: now, day: day, on: tx)
            try await self.addMaterials(c, definition: definition, provided: stored, now: now, on: tx)
            try await self.event(c, "submit", "网上申请已提交", note: "渠道：网上申请", actor: applicant.auditName, at: now, on: tx)
            try await self.receipt(c, definition: definition, at: now, on: tx)
            try await AuditLog.append(.init(actor: applicant.auditName, action: "case.submit", objectType: "case", objectID: c.number, address: address, detail: "online"), at: now, on: tx)
            return c
        }
    }

    struct WindowApplication: Sendable {
        var implementationID: UUID
        var channel: String
        var name: String
        var idNumber: String
        var phone: String
        /// Material positions the applicant handed in.
        var provided: Set<Int>
        var deliveryMode: ServiceTerms.Delivery
        var deliveryAddress: String
    }

    /// A walk-in, letter, fax or e-mail application registered by a clerk (R8.2.1, R8.2.5):
    /// the case goes on the applicant's account, found by ID number or opened for them, so
    /// they never enter it again online. A walk-in is a visit (R3.8).
    func registerAtWindow(_ application: WindowApplication, clerk: Principal, address: String) async throws -> CaseModel {
        guard let channel = CaseChannel(rawValue: application.channel), CaseChannel.window.contains(channel) else {
            throw AppError.invalid("channel", code: "case.channel", "收件渠道应为现场、信函、传真或电子邮件")
        }
        let person: ApplicantRegistration.Person
        do {
            person = try ApplicantRegistration.person(name: application.name, idNumber: application.idNumber, phone: application.phone,
                                                      password: "placeholder1", passwordConfirm: nil, today: clock.now)
        } catch {
            throw AppError(.unprocessableContent, code: error.code, title: error.message, field: error.field)
        }
        let now = clock.now
        let day = today
        return try await persistence.transaction { tx in
            let (version, definition) = try await self.publishedGuide(application.implementationID, on: tx)
            // Only at an implementation of the clerk's own region (or below it).
            do {
                try CasePolicy.check(.register, by: clerk.caseActor, on: CaseScope(regionCode: version.regionCode, applicantID: nil, leadDepartmentID: nil))
            } catch let error as CaseAccessDenial {
                throw AppError(.forbidden, code: error.code, title: error.message)
            }
            try Self.checkDelivery(application.deliveryMode, address: application.deliveryAddress, definition: definition)
            let account: AccountModel
            if let existing = try await AccountModel.query(on: tx).filter(\.$idNumber == person.residentID.value).first() {
                // The ID number names the person: a case under another name is not attached to them.
                guard existing.displayName == person.name else {
                    throw AppError.invalid("name", code: "case.applicant_name_mismatch", "姓名与该身份证号码登记的姓名不一致，请核对身份证件")
                }
                account = existing
            } else {
                // An account the applicant can claim later by registering with the same ID number.
                let phoneFree = try await AccountModel.query(on: tx).filter(\.$loginName == person.phone.value).first() == nil
                account = AccountModel(person: person, loginName: phoneFree ? person.phone.value : "id:\(person.residentID.value)",
                                       passwordHash: AccountService.unclaimedPassword, createdAt: now)
                account.id = self.random.uuid()
                try await account.create(on: tx)
            }
            let c = try await self.newCase(version: version, definition: definition, account: account, channel: channel, form: [:],
                                           deliveryMode: application.deliveryMode, deliveryAddress: application.deliveryAddress, now: now, day: day, on: tx)
            try await self.addMaterials(c, definition: definition, provided: [:], handedIn: application.provided, now: now, on: tx)
            try await self.event(c, "register", "\(channel.chineseName)收件", note: "收件人：\(clerk.displayName)", actor: clerk.auditName, at: now, on: tx)
            if channel.isVisit {
                try await self.visit(c, reason: "到窗口提交申请", clerk: clerk, at: now, on: tx)
            }
            try await self.receipt(c, definition: definition, at: now, on: tx)
            try await AuditLog.append(.init(actor: clerk.auditName, action: "case.register", objectType: "case", objectID: c.number, address: address, detail: application.channel), at: now, on: tx)
            return c
        }
    }

    /// The delivery mode as asked for, online and at the window alike; `fallback` when none was given.
    static func deliveryMode(_ raw: String?, fallback: ServiceTerms.Delivery? = nil) throws -> ServiceTerms.Delivery {
        let raw = (raw ?? "").trimmingCharacters(in: .whitespaces)
        if raw.isEmpty, let fallback { return fallback }
        guard let mode = ServiceTerms.Delivery(rawValue: raw) else {
            throw AppError.invalid("deliveryMode", code: "case.delivery_mode", "请选择结果送达方式：pickup（窗口领取）、post（邮寄送达）或 download（网上下载）")
        }
        return mode
    }

    /// Checks and stores uploads by content; what the store holds of each: hash, name, sniffed media type, size.
    func store(_ files: [Int: MultipartForm.File]) throws -> [Int: StoredUpload] {
        var written: [Int: StoredUpload] = [:]
        for (position, file) in files {
            let kind = try BlobStore.check(file.data, fileName: file.fileName)
            written[position] = StoredUpload(sha: try blobs.write(file.data), name: file.fileName, mediaType: kind.mediaType, size: file.data.count)
        }
        return written
    }

    struct StoredUpload: Sendable {
        var sha: String
        var name: String
        var mediaType: String
        var size: Int

        /// Sets the material's file and records the stored file with its real type and size.
        func attach(to m: CaseMaterialModel, at now: Date, on tx: any Database) async throws {
            m.fileSHA = sha
            m.fileName = name
            m.mediaType = mediaType
            m.size = size
            try await StoredFileModel.record(sha256: sha, mediaType: mediaType, size: size, at: now, on: tx)
        }
    }

    /// The delivery mode must be one the item offers, and a posted result needs an address (R8.7).
    static func checkDelivery(_ mode: ServiceTerms.Delivery, address: String, definition: ItemDefinition) throws {
        guard definition.terms.delivery.contains(mode) else {
            throw AppError.invalid("deliveryMode", code: "case.delivery_mode", "本事项不提供“\(mode.chineseName)”方式")
        }
        if mode == .post, address.trimmingCharacters(in: .whitespaces).count < 6 {
            throw AppError.invalid("deliveryAddress", code: "case.delivery_address", "请填写完整的邮寄地址")
        }
    }

    func publishedGuide(_ implementationID: UUID, on tx: any Database) async throws -> (GuideVersionModel, ItemDefinition) {
        guard let version = try await GuideVersionModel.query(on: tx).filter(\.$implementationID == implementationID)
            .filter(\.$state == GuideState.published.rawValue).first()
        else { throw AppError(.notFound, code: "case.item_not_available", title: "该事项暂未发布办事指南，不能申请") }
        if let cached = guideCache[version.id!] { return (version, cached) }
        let definition = try CatalogService.decode(version.definition)
        guideCache[version.id!] = definition
        return (version, definition)
    }

    func newCase(version: GuideVersionModel, definition: ItemDefinition, account: AccountModel, channel: CaseChannel, form: [String: String],
                 deliveryMode: ServiceTerms.Delivery, deliveryAddress: String, now: Date, day: CalendarDate, on tx: any Database) async throws -> CaseModel {
        guard let implementation = try await ImplementationModel.find(version.implementationID, on: tx) else { throw AppError.notFound }
        var generator = random.generator
        let c = CaseModel()
        c.id = random.uuid()
        c.number = CaseNumber.make(region: implementation.regionCode, on: day, using: &generator)
        c.itemCode = version.itemCode
        c.itemName = version.itemName
        c.implementationID = implementation.id!
        c.guideVersionID = version.id!
        c.regionCode = implementation.regionCode
        c.departmentID = implementation.departmentID
        c.applicantID = account.id!
        c.applicantName = account.displayName
        c.applicantIDNumber = account.idNumber ?? account.creditCode
        c.applicantPhone = account.phone ?? account.loginName
        c.channel = channel
        c.state = CasePolicy.initialState
        c.receivedAt = now
        c.receivedOn = day
        c.legalLimit = definition.terms.legalLimit
        c.promisedLimit = definition.attributes.promisedLimit
        c.extensionDays = 0
        c.suspensions = "[]"
        c.feeFen = definition.attributes.fees.compactMap { FeeAmount.fen(from: $0.standard) }.first ?? 0
        c.tripsPromised = definition.terms.trips
        c.deliveryMode = deliveryMode
        c.deliveryDetail = deliveryMode == .post ? deliveryAddress : nil
        let fields = form.filter { key, _ in definition.attributes.formFields.contains(key) }.mapValues { String($0.prefix(200)) }
        c.formData = String(decoding: try JSONEncoder().encode(fields), as: UTF8.self)
        c.version = 1
        c.updatedAt = now
        try await c.create(on: tx)
        return c
    }

    func addMaterials(_ c: CaseModel, definition: ItemDefinition, provided: [Int: StoredUpload], handedIn: Set<Int> = [], now: Date, on tx: any Database) async throws {
        for (position, requirement) in definition.attributes.materials.enumerated() {
            let m = CaseMaterialModel()
            m.id = random.uuid()
            m.caseID = c.id!
            m.position = position
            m.name = requirement.name
            m.importance = requirement.importance
            if !requirement.requiredFromApplicant {
                m.status = .platform
                m.source = requirement.sources.map(\.chineseName).joined(separator: "；")
            } else if let file = provided[position] {
                m.status = .provided
                try await file.attach(to: m, at: now, on: tx)
            } else if handedIn.contains(position) {
                m.status = .provided
                m.source = Self.paperAtWindow
            } else {
                m.status = .missing
            }
            try await m.create(on: tx)
        }
    }

    /// How a material handed in on paper at the window is recorded.
    static let paperAtWindow = "窗口收取纸质材料"

    func visit(_ c: CaseModel, reason: String, clerk: Principal, at: Date, on tx: any Database) async throws {
        let v = CaseVisitModel()
        v.id = random.uuid()
        v.caseID = c.id!
        v.at = at
        v.reason = reason
        v.recordedBy = clerk.auditName
        try await v.create(on: tx)
    }

    /// 电子回执 (R7.3.2): the case number, what was received, and what happens next by when.
    func receipt(_ c: CaseModel, definition: ItemDefinition, at: Date, on tx: any Database) async throws {
        let calendar = try await calendar(on: tx)
        let lastNotice = DeemedAcceptance.lastNoticeDay(receivedOn: c.receivedOn, calendar: calendar)
        let materials = try await CaseMaterialModel.query(on: tx).filter(\.$caseID == c.id!).sort(\.$position).all()
        let header = CaseDocumentHeader(itemName: c.itemName, caseNumber: c.number, applicantName: c.applicantName, issuer: "河南政务服务网", dateText: Self.dateText(at))
        let content = CaseNotices.receipt(
            header, receivedAtText: Self.dateText(c.receivedAt), promise: CaseNotices.promise(immediate: definition.terms.immediate, limit: c.promisedLimit),
            materials: materials.map { "\($0.name)：\($0.status.receiptName(source: $0.source))" }, lastNoticeDay: lastNotice)
        try await self.document(c, kind: .receipt, content: content, at: at, on: tx)
    }
}

extension AccountService {
    /// The password hash of an account opened for a walk-in applicant: it matches no password
    /// until the applicant registers with the same ID number and sets one.
    static let unclaimedPassword = "!unclaimed"
}

import FluentKit
import SQLKit
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
        /// The fee condition and quantities the form gives (R8.6); an applicant records no reduction.
        var fee = FeeRequest()
    }

    /// The applicant as the platform knows them, to pre-fill forms (R7.3.1). Accounts hold no
    /// address, so address fields are left to the applicant.
    struct KnownApplicant: Sendable {
        var name: String
        var idNumber: String?
        var creditCode: String?
        var phone: String
        var legalRepresentative: String?
        var contactName: String?
    }

    static func knownApplicant(_ account: AccountRow) -> KnownApplicant {
        KnownApplicant(name: account.displayName, idNumber: account.idNumber, creditCode: account.creditCode,
                       phone: account.phone ?? account.loginName, legalRepresentative: account.legalRepresentative,
                       contactName: account.contactName)
    }

    /// The value the platform already holds for a form field, by what the field holds (R7.3.1).
    static func prefill(field: FormField, from known: KnownApplicant) -> String? {
        let value: String? = switch field.meaning {
        case .applicantName: known.name
        case .idNumber: known.idNumber
        case .creditCode: known.creditCode
        case .certificateNumber: known.idNumber ?? known.creditCode
        case .legalRepresentative: known.legalRepresentative
        case .contactPerson: known.contactName ?? (known.creditCode == nil ? known.name : nil)
        case .phone: known.phone
        case .address, .postalAddress, .other: nil
        }
        return value.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// An online application (R7.3): materials the platform obtains itself are not asked
    /// for (R8.1.2); uploads are checked by content and stored by hash; the electronic
    /// receipt gives the case number and what happens next (R7.3.2).
    func submitOnline(_ application: Application, applicant: Principal, address: String) async throws -> CaseRow {
        guard applicant.role == .applicant else { throw AppError.forbidden }
        let stored = try store(application.files)
        let now = clock.now
        let day = today
        return try await persistence.transaction { tx in
            guard let account = try await AccountRow.find(applicant.accountID, on: tx.sql) else { throw AppError.unauthenticated }
            let (guide, definition) = try await self.publishedGuide(application.implementationID, on: tx)
            try Self.checkDelivery(application.deliveryMode, address: application.deliveryAddress, definition: definition)
            var fee = application.fee
            fee.reduction = nil
            let charge = try Self.charge(definition, fee)
            let c = try await self.newCase(guide, account: account, channel: .online, form: application.formData, charge: charge,
                                           deliveryMode: application.deliveryMode, deliveryAddress: application.deliveryAddress, now: now, day: day, on: tx)
            let materials = try await self.addMaterials(c, definition: definition, provided: stored, now: now, on: tx)
            try await self.event(c, "submit", "网上申请已提交", note: "渠道：网上申请", actor: applicant.auditName, at: now, on: tx)
            try await self.receipt(c, materials: materials, definition: definition, at: now, on: tx)
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
        /// The fee condition and quantities, and any 减免 with its reason and legal basis (R8.6).
        var fee = FeeRequest()
        /// "person" (name, ID number, phone) or "organisation" (name, USCC, legal
        /// representative, contact and phone): a legal person applies at the window too.
        var applicantType = "person"
        var creditCode = ""
        var legalRepresentative = ""
        var contactName = ""
    }

    /// The applicant a clerk records at the window, checked (R8.2.5).
    enum WalkIn: Sendable {
        case person(ApplicantRegistration.Person)
        case organisation(ApplicantRegistration.Organisation)

        static func checked(_ application: WindowApplication, today: Date) throws -> WalkIn {
            do {
                switch application.applicantType {
                case "", "person":
                    return .person(try ApplicantRegistration.walkIn(name: application.name, idNumber: application.idNumber, phone: application.phone, today: today))
                case "organisation":
                    return .organisation(try ApplicantRegistration.walkIn(
                        name: application.name, creditCode: application.creditCode, legalRepresentative: application.legalRepresentative,
                        contactName: application.contactName, phone: application.phone))
                default:
                    throw AppError.invalid("applicantType", code: "case.applicant_type", "申请人类型应为自然人或法人（其他组织）")
                }
            } catch let problem as ApplicantRegistration.Problem {
                throw AppError(.unprocessableContent, code: problem.code, title: problem.message, field: problem.field)
            }
        }
    }

    /// The walk-in's account: found again by ID number (a person) or USCC (a legal person)
    /// only when the name matches, or opened for them to claim later with the claim code and
    /// the phone recorded here (R8.2.5). An account not yet claimed takes the phone the clerk
    /// records now, so the claim asks for the latest one.
    func windowAccount(_ walkIn: WalkIn, now: Date, on sql: any SQLDatabase) async throws -> AccountRow {
        let (column, key, name, phone) = switch walkIn {
        case .person(let person): ("id_number", person.residentID.value, person.name, person.phone.value)
        case .organisation(let organisation): ("credit_code", organisation.creditCode.value, organisation.name, organisation.phone.value)
        }
        if var existing = try await AccountRow.select(on: sql).where(column, .equal, key).limit(1).row(AccountRow.self) {
            // The number names the applicant: a case under another name is not attached to them.
            guard existing.displayName == name else {
                if case .organisation = walkIn {
                    throw AppError.invalid("name", code: "case.applicant_name_mismatch", "单位名称与该统一社会信用代码登记的名称不一致，请核对营业执照等证件")
                }
                throw AppError.invalid("name", code: "case.applicant_name_mismatch", "姓名与该身份证号码登记的姓名不一致，请核对身份证件")
            }
            if !AccountService.isClaimed(existing), existing.phone != phone {
                try await sql.update(AccountRow.table).set("phone", to: phone).where("id", .equal, existing.id).run()
                existing.phone = phone
            }
            return existing
        }
        let account: AccountRow
        switch walkIn {
        case .person(let person):
            let phoneFree = try await sql.select().column("id").from(AccountRow.table).where("login_name", .equal, phone).limit(1).first() == nil
            account = AccountRow(person: person, loginName: phoneFree ? phone : "id:\(person.residentID.value)",
                                 passwordHash: AccountService.unclaimedPassword, createdAt: now, id: random.uuid())
        case .organisation(let organisation):
            account = AccountRow(organisation: organisation, passwordHash: AccountService.unclaimedPassword, createdAt: now, id: random.uuid())
        }
        try await account.insert(on: sql)
        return account
    }

    /// A walk-in, letter, fax or e-mail application registered by a clerk (R8.2.1, R8.2.5):
    /// the case goes on the applicant's account, found by ID number or opened for them, so
    /// they never enter it again online. A walk-in is a visit (R3.8).
    func registerAtWindow(_ application: WindowApplication, clerk: Principal, address: String) async throws -> CaseRow {
        guard let channel = CaseChannel(rawValue: application.channel), CaseChannel.window.contains(channel) else {
            throw AppError.invalid("channel", code: "case.channel", "收件渠道应为现场、信函、传真或电子邮件")
        }
        let walkIn = try WalkIn.checked(application, today: clock.now)
        let now = clock.now
        let day = today
        return try await persistence.transaction { tx in
            let (guide, definition) = try await self.publishedGuide(application.implementationID, on: tx)
            // Only at an implementation of the clerk's own region (or below it).
            do {
                try CasePolicy.check(.register, by: clerk.caseActor, on: CaseScope(regionCode: guide.regionCode, applicantID: nil, leadDepartmentID: nil))
            } catch let error as CaseAccessDenial {
                throw AppError(.forbidden, code: error.code, title: error.message)
            }
            try Self.checkDelivery(application.deliveryMode, address: application.deliveryAddress, definition: definition)
            let account = try await self.windowAccount(walkIn, now: now, on: tx.sql)
            // R8.6: the clerk's fee choice; refused, the transaction (and any account opened above) rolls back.
            let charge = try Self.charge(definition, application.fee)
            let c = try await self.newCase(guide, account: account, channel: channel, form: [:], charge: charge,
                                           deliveryMode: application.deliveryMode, deliveryAddress: application.deliveryAddress, now: now, day: day, on: tx)
            let materials = try await self.addMaterials(c, definition: definition, provided: [:], handedIn: application.provided, now: now, on: tx)
            try await self.event(c, "register", "\(channel.chineseName)收件", note: "收件人：\(clerk.displayName)", actor: clerk.auditName, at: now, on: tx)
            if channel.isVisit {
                try await self.visit(c, reason: "到窗口提交申请", clerk: clerk, at: now, on: tx)
            }
            try await self.receipt(c, materials: materials, definition: definition, at: now, on: tx)
            try await AuditLog.append(.init(actor: clerk.auditName, action: "case.register", objectType: "case", objectID: c.number, address: address,
                                            detail: "\(application.channel), \(account.applicantType ?? "person")"), at: now, on: tx)
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
        func attach(to m: inout CaseMaterialRow, at now: Date, on tx: any Database) async throws {
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

    /// The published guide of an implementation. Which version is published changes; what a
    /// version says, and the implementation's region and department, do not: only the version's
    /// id is read on each submit, the rest once per version (`publishedGuides`).
    func publishedGuide(_ implementationID: UUID, on tx: any Database) async throws -> (PublishedGuide, ItemDefinition) {
        guard let versionID = try await GuideVersionModel.query(on: tx).filter(\.$implementationID == implementationID)
            .filter(\.$state == GuideState.published.rawValue).field(\.$id).first()?.id
        else { throw AppError(.notFound, code: "case.item_not_available", title: "该事项暂未发布办事指南，不能申请") }
        if let cached = publishedGuides[versionID] { return (cached, cached.definition) }
        guard let version = try await GuideVersionModel.find(versionID, on: tx),
              let implementation = try await ImplementationModel.find(version.implementationID, on: tx)
        else { throw AppError.notFound }
        let definition = try guideCache[versionID] ?? CatalogService.decode(version.definition)
        let guide = PublishedGuide(versionID: versionID, implementationID: version.implementationID, itemCode: version.itemCode, itemName: version.itemName,
                                   regionCode: implementation.regionCode, departmentID: implementation.departmentID, definition: definition)
        guideCache[versionID] = definition
        publishedGuides[versionID] = guide
        return (guide, definition)
    }

    /// Inserts the new case with its fee charge (R8.6: `feeFen` is the charge's total, the lines
    /// go with it); its first KPI counts are taken in the same transaction.
    func newCase(_ guide: PublishedGuide, account: AccountRow, channel: CaseChannel, form: [String: String], charge: FeeCharge,
                 deliveryMode: ServiceTerms.Delivery, deliveryAddress: String, now: Date, day: CalendarDate, on tx: any Database) async throws -> CaseRow {
        let definition = guide.definition
        var generator = random.generator
        let id = random.uuid()
        let fields = form.filter { key, _ in definition.attributes.formFields.names.contains(key) }.mapValues { String($0.prefix(200)) }
        var c = CaseRow(
            id: id, number: CaseNumber.make(region: guide.regionCode, on: day, using: &generator),
            itemCode: guide.itemCode, itemName: guide.itemName, implementationID: guide.implementationID, guideVersionID: guide.versionID,
            regionCode: guide.regionCode, departmentID: guide.departmentID,
            applicantID: account.id, applicantName: account.displayName, applicantIDNumber: account.idNumber ?? account.creditCode,
            applicantPhone: account.phone ?? account.loginName, channel: channel, state: CasePolicy.initialState,
            receivedAt: now, receivedOn: day, acceptedAt: nil, clockStart: nil, acceptanceNumber: nil,
            legalLimit: definition.terms.legalLimit, promisedLimit: definition.attributes.promisedLimit, extensionDays: 0, suspensions: "[]",
            stoppedOn: nil, toleranceDeadline: nil,
            feeFen: charge.totalFen,
            tripsPromised: definition.terms.trips, deliveryMode: deliveryMode, deliveryDetail: deliveryMode == .post ? deliveryAddress : nil,
            formData: String(decoding: try JSONEncoder().encode(fields), as: UTF8.self), resultSHA: nil, version: 1, updatedAt: now, dueOn: nil)
        c.feeDetail = try CaseRow.encode(charge)
        try await c.insert(on: tx.sql)
        try await KPICounters.apply(before: nil, after: c, on: tx.sql)
        return c
    }

    /// The case's materials as received, written in one statement; returned in position order for the receipt.
    @discardableResult
    func addMaterials(_ c: CaseRow, definition: ItemDefinition, provided: [Int: StoredUpload], handedIn: Set<Int> = [], now: Date, on tx: any Database) async throws -> [CaseMaterialRow] {
        var rows: [CaseMaterialRow] = []
        for (position, requirement) in definition.attributes.materials.enumerated() {
            var m = CaseMaterialRow(id: random.uuid(), caseID: c.id, position: position, name: requirement.name, importance: requirement.importance,
                                    status: .missing, fileSHA: nil, fileName: nil, source: nil, mediaType: nil, size: nil)
            if !requirement.requiredFromApplicant {
                m.status = .platform
                m.source = requirement.sources.map(\.chineseName).joined(separator: "；")
            } else if let file = provided[position] {
                m.status = .provided
                try await file.attach(to: &m, at: now, on: tx)
            } else if handedIn.contains(position) {
                m.status = .provided
                m.source = Self.paperAtWindow
            }
            rows.append(m)
        }
        try await CaseMaterialRow.insert(rows, on: tx.sql)
        return rows
    }

    /// How a material handed in on paper at the window is recorded.
    static let paperAtWindow = "窗口收取纸质材料"

    func visit(_ c: CaseRow, reason: String, clerk: Principal, at: Date, on tx: any Database) async throws {
        try await CaseVisitRow(id: random.uuid(), caseID: c.id, at: at, reason: reason, recordedBy: clerk.auditName).insert(on: tx.sql)
    }

    /// 电子回执 (R7.3.2): the case number, what was received, and what happens next by when.
    func receipt(_ c: CaseRow, materials: [CaseMaterialRow], definition: ItemDefinition, at: Date, on tx: any Database) async throws {
        let calendar = try await calendar(on: tx)
        let lastNotice = DeemedAcceptance.lastNoticeDay(receivedOn: c.receivedOn, calendar: calendar)
        let header = CaseDocumentHeader(itemName: c.itemName, caseNumber: c.number, applicantName: c.applicantName, issuer: "河南政务服务网", dateText: Self.dateText(at))
        let content = CaseNotices.receipt(
            header, receivedAtText: Self.dateText(c.receivedAt), promise: CaseNotices.promise(immediate: definition.terms.immediate, limit: c.promisedLimit),
            materials: materials.sorted { $0.position < $1.position }.map { "\($0.name)：\($0.status.receiptName(source: $0.source))" }, lastNoticeDay: lastNotice,
            lastNoticeCalendar: calendar.status(from: c.receivedOn, through: lastNotice))
        try await self.document(c, kind: .receipt, content: content, at: at, on: tx)
    }
}

/// What a case takes from its guide version and the implementation it belongs to; neither
/// changes once written (an implementation's region and department are set when it is made).
struct PublishedGuide: Sendable {
    var versionID: UUID
    var implementationID: UUID
    var itemCode: String
    var itemName: String
    var regionCode: String
    var departmentID: UUID
    var definition: ItemDefinition
}

extension AccountService {
    /// The password hash of an account opened for a walk-in applicant: it matches no password
    /// until the applicant registers with the same ID number and sets one.
    static let unclaimedPassword = "!unclaimed"
}

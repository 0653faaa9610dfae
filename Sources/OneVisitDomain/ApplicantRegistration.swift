import Foundation

/// The checks on a new applicant account (R7.1.3 unified identity authentication).
/// Pure: raw form values in, a checked registration or the first problem out.
public enum ApplicantRegistration {
    public struct Problem: Error, Sendable, Equatable {
        public var field: String
        public var code: String
        public var message: String
        public init(field: String, code: String, message: String) {
            self.field = field
            self.code = code
            self.message = message
        }
    }

    /// A natural person: name, resident ID number, mobile phone (the login name).
    public struct Person: Sendable, Equatable {
        public var name: String
        public var residentID: ResidentID
        public var phone: MobileNumber
    }

    /// A legal person or other organisation: name, USCC (the login name), legal
    /// representative, contact person and phone.
    public struct Organisation: Sendable, Equatable {
        public var name: String
        public var creditCode: CreditCode
        public var legalRepresentative: String
        public var contactName: String
        public var phone: MobileNumber
    }

    static func checkName(_ raw: String, field: String, label: String, maxLength: Int = 50) throws(Problem) -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw Problem(field: field, code: "\(field).required", message: "请填写\(label)") }
        guard name.count <= maxLength else { throw Problem(field: field, code: "\(field).too_long", message: "\(label)不能超过 \(maxLength) 个字") }
        guard !name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) || "<>\"'&".unicodeScalars.contains($0) }) else {
            throw Problem(field: field, code: "\(field).characters", message: "\(label)含有不允许的字符")
        }
        return name
    }

    static func checkPassword(_ password: String, confirmation: String?) throws(Problem) {
        if let message = PasswordPolicy.problem(with: password) {
            throw Problem(field: "password", code: "password.weak", message: message)
        }
        if let confirmation, confirmation != password {
            throw Problem(field: "passwordConfirm", code: "password.mismatch", message: "两次输入的密码不一致")
        }
    }

    static func identity<T>(_ field: String, _ make: () throws(IdentityNumberError) -> T) throws(Problem) -> T {
        do {
            return try make()
        } catch {
            throw Problem(field: field, code: error.code, message: error.message)
        }
    }

    public static func person(name: String, idNumber: String, phone: String, password: String, passwordConfirm: String?, today: Date) throws(Problem) -> Person {
        let person = try walkIn(name: name, idNumber: idNumber, phone: phone, today: today)
        try checkPassword(password, confirmation: passwordConfirm)
        return person
    }

    /// A natural person as a window clerk records them (R8.2.5): no password, the account
    /// is claimed later with the claim code and this phone.
    public static func walkIn(name: String, idNumber: String, phone: String, today: Date) throws(Problem) -> Person {
        let name = try checkName(name, field: "name", label: "姓名", maxLength: 30)
        let id = try identity("idNumber") { () throws(IdentityNumberError) in try ResidentID(idNumber, today: today) }
        let mobile = try identity("phone") { () throws(IdentityNumberError) in try MobileNumber(phone) }
        return Person(name: name, residentID: id, phone: mobile)
    }

    public static func organisation(name: String, creditCode: String, legalRepresentative: String, contactName: String, phone: String, password: String, passwordConfirm: String?) throws(Problem) -> Organisation {
        let organisation = try walkIn(name: name, creditCode: creditCode, legalRepresentative: legalRepresentative, contactName: contactName, phone: phone)
        try checkPassword(password, confirmation: passwordConfirm)
        return organisation
    }

    /// A legal person or other organisation as a window clerk records it (R8.2.5).
    public static func walkIn(name: String, creditCode: String, legalRepresentative: String, contactName: String, phone: String) throws(Problem) -> Organisation {
        let name = try checkName(name, field: "name", label: "单位名称", maxLength: 100)
        let code = try identity("creditCode") { () throws(IdentityNumberError) in try CreditCode(creditCode) }
        let representative = try checkName(legalRepresentative, field: "legalRepresentative", label: "法定代表人", maxLength: 30)
        let contact = try checkName(contactName, field: "contactName", label: "联系人", maxLength: 30)
        let mobile = try identity("phone") { () throws(IdentityNumberError) in try MobileNumber(phone) }
        return Organisation(name: name, creditCode: code, legalRepresentative: representative, contactName: contact, phone: mobile)
    }
}

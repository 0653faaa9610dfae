import Foundation
import OneVisitDomain

/// The province's unified payment platform as the case sees it (R8.6): it checks that a
/// callback was signed by the platform, and — the simulated platform of demo mode only —
/// signs one. Set once in the composition root (`AppServices.make`); tests pin their own.
public protocol PaymentGateway: Sendable {
    /// Whether `signature` is the platform's over the callback's fields.
    func verify(orderNumber: String, amountFen: Int, transactionID: String, signature: String) -> Bool
    /// The signature the platform would send: only the simulated gateway (demo mode) uses it.
    func sign(orderNumber: String, amountFen: Int, transactionID: String) -> String
}

/// A platform that signs callbacks with HMAC-SHA256 under a shared secret (`PaymentSignature`).
public struct HMACPaymentGateway: PaymentGateway {
    let secret: String

    public init(secret: String) { self.secret = secret }

    public func verify(orderNumber: String, amountFen: Int, transactionID: String, signature: String) -> Bool {
        PaymentSignature.verify(orderNumber: orderNumber, amountFen: amountFen, transactionID: transactionID, signature: signature, secret: secret)
    }

    public func sign(orderNumber: String, amountFen: Int, transactionID: String) -> String {
        PaymentSignature.sign(orderNumber: orderNumber, amountFen: amountFen, transactionID: transactionID, secret: secret)
    }
}

extension CaseService {
    /// The configured gateway's secret, for tests that sign callbacks as the platform would.
    var paymentSecret: String? { (gateway as? HMACPaymentGateway)?.secret }
}

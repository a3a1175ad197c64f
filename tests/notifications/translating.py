"""What a translator does before legal approves: the Chinese and German of every fact typed in English.

Tests of the demo incident call ``notice_translate`` the way a responder fills the editor's Chinese
column; any Latin text it does not know is left, so the checks still catch it.
"""

from __future__ import annotations

from notifications.models import Notice
from notifications.notices import services
from notifications.notices.languages import CHINESE, GERMAN
from notifications.notices.reader_checks import untranslated_elements

TYPED = {
    "A misconfigured cloud database snapshot was reachable from the internet. It held account records of customers "
    "in China, Singapore, Germany and California.":
        "一个配置错误的云数据库快照可从互联网访问，其中存有中国、新加坡、德国和美国加利福尼亚州客户的账户记录。",
    "A misconfigured cloud database snapshot was reachable from the internet.": "一个配置错误的云数据库快照可从互联网访问。",
    "Customer account service; cloud database snapshot store": "客户账户服务；云数据库快照存储",
    "Customer account service": "客户账户服务",
    "Public access to the snapshot revoked, snapshot deleted, all database credentials rotated.":
        "已撤销对快照的公开访问，已删除快照，并已更换全部数据库凭据。",
    "Public access revoked and credentials rotated.": "已撤销公开访问权限，并已更换数据库凭据。",
    "During a storage migration, the access setting of a snapshot of the customer account database was changed "
    "from private to public by mistake.": "在一次存储迁移中，客户账户数据库快照的访问设置被误从私有改为公开。",
    "An external security researcher reported the open snapshot to our security mailbox.":
        "一名外部安全研究人员向我们的安全邮箱报告了该公开快照。",
    "Passwords were stored as bcrypt hashes (cost 12), each with its own salt; none was stored in readable form.":
        "密码以 bcrypt 哈希（成本因子 12）存储，每个密码都有各自的盐值，没有任何密码以可读形式存储。",
    "Public access to the snapshot revoked.": "已撤销对快照的公开访问。",
    "Access logs copied to write-once storage, then the snapshot deleted.": "已将访问日志复制到一次写入存储，随后删除了快照。",
    "Keys of the database service accounts rotated (customers' passwords are unchanged).":
        "已更换数据库服务账户的密钥（客户密码未变）。",
    "A second person must approve any change to the sharing setting of a snapshot; public snapshots raise an alert.":
        "快照共享设置的任何更改都须由第二人批准；公开的快照会触发警报。",
    "No further exposure: the snapshot is deleted. Copies taken before may be used for phishing or to try the "
    "passwords' hashes against other services.": "不会进一步泄露：快照已删除。此前被复制的副本可能被用于网络钓鱼，或用于针对其他服务尝试破解密码哈希。",
    "The access logs show downloads from two IP addresses, kept for the police.": "访问日志显示有来自两个 IP 地址的下载，相关记录已为警方保存。",
    "Storage access logs and the snapshot's metadata were copied to write-once storage before the snapshot was "
    "deleted.": "在删除快照之前，已将存储访问日志和快照元数据复制到一次写入存储。",
    "None requested at this stage.": "现阶段未请求支持。",
    "Monday to Friday, 9:00 to 18:00 (local time)": "周一至周五 9:00 至 18:00（当地时间）",
    "Monday to Friday, 9:00 to 18:00": "周一至周五 9:00 至 18:00",
}
TYPED_DE = {
    "A misconfigured cloud database snapshot was reachable from the internet. It held account records of customers "
    "in China, Singapore, Germany and California.":
        "Eine falsch konfigurierte Sicherungskopie (Snapshot) einer Cloud-Datenbank war aus dem Internet erreichbar. "
        "Sie enthielt Kontodaten von Kundinnen und Kunden in China, Singapur, Deutschland und Kalifornien.",
    "A misconfigured cloud database snapshot was reachable from the internet.":
        "Eine falsch konfigurierte Sicherungskopie (Snapshot) einer Cloud-Datenbank war aus dem Internet erreichbar.",
    "Customer account service; cloud database snapshot store": "Kundenkontodienst; Speicher für Datenbank-Snapshots",
    "Customer account service": "Kundenkontodienst",
    "Public access to the snapshot revoked, snapshot deleted, all database credentials rotated.":
        "Öffentlichen Zugriff auf den Snapshot entzogen, Snapshot gelöscht, alle Zugangsdaten der Datenbank erneuert.",
    "Public access revoked and credentials rotated.": "Öffentlichen Zugriff entzogen und Zugangsdaten erneuert.",
    "During a storage migration, the access setting of a snapshot of the customer account database was changed "
    "from private to public by mistake.": "Bei einer Speichermigration wurde die Zugriffseinstellung eines Snapshots "
                                         "der Kundenkontodatenbank versehentlich von privat auf öffentlich geändert.",
    "An external security researcher reported the open snapshot to our security mailbox.":
        "Ein externer Sicherheitsforscher wies unser Sicherheitspostfach auf den offenen Snapshot hin.",
    "Passwords were stored as bcrypt hashes (cost 12), each with its own salt; none was stored in readable form.":
        "Passwörter waren als bcrypt-Hashwerte (Kostenfaktor 12) mit jeweils eigenem Salt gespeichert; keines lag im "
        "Klartext vor.",
    "Public access to the snapshot revoked.": "Öffentlichen Zugriff auf den Snapshot entzogen.",
    "Access logs copied to write-once storage, then the snapshot deleted.":
        "Zugriffsprotokolle auf einmal beschreibbaren Speicher kopiert, danach den Snapshot gelöscht.",
    "Keys of the database service accounts rotated (customers' passwords are unchanged).":
        "Schlüssel der Dienstkonten der Datenbank erneuert (die Passwörter der Kundinnen und Kunden sind unverändert).",
    "A second person must approve any change to the sharing setting of a snapshot; public snapshots raise an alert.":
        "Jede Änderung der Freigabeeinstellung eines Snapshots muss eine zweite Person genehmigen; öffentliche "
        "Snapshots lösen einen Alarm aus.",
    "Monday to Friday, 9:00 to 18:00 (local time)": "Montag bis Freitag, 9:00 bis 18:00 Uhr (Ortszeit)",
    "Monday to Friday, 9:00 to 18:00": "Montag bis Freitag, 9:00 bis 18:00 Uhr",
}
TRANSLATIONS = {CHINESE: TYPED, GERMAN: TYPED_DE}
# The SMS alert with the organisation's short Chinese name: the legal name in Latin letters leaves no
# room in two Chinese SMS parts.
ALERT = "示例云：数据泄露涉及您的[[data_short]]。[[action_short]]我们绝不会索要密码或验证码。"


def notice_translate(notice: Notice, actor) -> Notice:
    """Replace the English typed into the Chinese and German texts of the notice; shorten its Chinese alert."""
    for language, typed in TRANSLATIONS.items():
        if language not in notice.languages:
            continue
        version = notice.current_version
        elements = {}
        for code in untranslated_elements(version, language):
            text = version.text(language, code)
            for english, translated in typed.items():
                text = text.replace(english, translated)
            elements[code] = text
        if language == CHINESE and "alert" in version.elements[CHINESE]:
            elements["alert"] = ALERT
        if elements:
            notice = services.notice_edit(actor=actor, notice=notice, language=language, elements=elements)
    return notice

"""What a translator does before legal approves: the Chinese of every fact typed in English.

Tests of the demo incident call ``notice_translate`` the way a responder fills the editor's Chinese
column; any Latin text it does not know is left, so the checks still catch it.
"""

from __future__ import annotations

from notifications.models import Notice
from notifications.notices import services
from notifications.notices.reader_checks import CHINESE, untranslated_elements

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
    "Monday to Friday, 9:00 to 18:00 (local time)": "周一至周五 9:00 至 18:00（当地时间）",
    "Monday to Friday, 9:00 to 18:00": "周一至周五 9:00 至 18:00",
}
# The SMS alert with the organisation's short Chinese name: the legal name in Latin letters leaves no
# room in two Chinese SMS parts.
ALERT = "示例云：数据泄露涉及您的[[data_short]]。[[action_short]]我们绝不会索要密码或验证码。"


def notice_translate(notice: Notice, actor) -> Notice:
    """Replace the English typed into the Chinese texts of the notice; shorten its Chinese alert."""
    if CHINESE not in notice.languages:
        return notice
    version = notice.current_version
    elements = {}
    for code in untranslated_elements(version):
        text = version.text(CHINESE, code)
        for english, chinese in TYPED.items():
            text = text.replace(english, chinese)
        elements[code] = text
    if "alert" in version.elements[CHINESE]:
        elements["alert"] = ALERT
    return services.notice_edit(actor=actor, notice=notice, language=CHINESE, elements=elements)

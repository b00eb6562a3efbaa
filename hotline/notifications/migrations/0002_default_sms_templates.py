"""The SMS texts shipped with the platform, as SmsTemplate rows the admin can then edit.

The texts are copied here rather than imported: a migration keeps what it did, whatever later
becomes of ``hotline.notifications.texts``.
"""

from django.db import migrations

TEXTS = {
    "accepted": (
        "【12351】您的诉求已受理，工单编号{number}。"
        "可凭编号和本手机号在 {lookup_url} 查询办理进度。"
    ),
    "declined": (
        "【12351】您的诉求（工单编号{number}）不属于工会受理范围，建议您：{referral}。"
        "感谢您对工会工作的信任。"
    ),
    "resolved": (
        "【12351】您的诉求（工单编号{number}）已办结，请在 {rating_url} "
        "凭编号和本手机号对办理结果进行评价。感谢您的支持。"
    ),
    "reopened": (
        "【12351】您的诉求（工单编号{number}）已重新办理，"
        "可凭编号和本手机号在 {lookup_url} 查询办理进度。"
    ),
}


def load(apps, schema_editor):
    SmsTemplate = apps.get_model("notifications", "SmsTemplate")
    for code, text in TEXTS.items():
        # A row an administrator already wrote is kept.
        SmsTemplate.objects.get_or_create(code=code, defaults={"text": text})


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        # Reversing leaves the rows: they may have been edited since.
        migrations.RunPython(load, migrations.RunPython.noop),
    ]

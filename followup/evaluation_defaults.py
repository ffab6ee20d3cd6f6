"""The default evaluation questionnaires, written for this project (not a copy of any published
instrument). The "Hur jag har det" items are in the spirit of a sense of coherence (KASAM):
understanding one's situation, managing it and finding it meaningful, which is what the groups
aim to strengthen (IOP 2.1). Asked before the group and after the last meeting, they give the
before/after change per item. Seeded by a data migration; change wording by adding a version.
"""

AGREE_LOW, AGREE_HIGH = "Stämmer inte alls", "Stämmer helt"

# code, version, name, audience, moments, introduction, questions
# question: code, text, kind, measures_satisfaction
INSTRUMENTS = [
    (
        "hur-jag-har-det-barn",
        1,
        "Hur jag har det (barn 7–12 år)",
        "child",
        ["before", "after", "follow_up"],
        "Det finns inga rätta eller felaktiga svar. Välj det som stämmer bäst för dig just nu.",
        [
            ("forstar", "Jag förstår varför jag bor där jag bor.", "likert", False),
            ("prata", "Jag har någon att prata med när något känns svårt.", "likert", False),
            ("klara", "Jag tror att jag kan klara saker som känns svåra.", "likert", False),
            ("framat", "Jag vet ungefär vad som kommer att hända i mitt liv framåt.", "likert", False),
            ("viktigt", "Det finns saker i mitt liv som känns viktiga och roliga.", "likert", False),
            ("inte-ensam", "Jag vet att det finns andra barn som har det som jag.", "likert", False),
        ],
    ),
    (
        "hur-jag-har-det-ungdom",
        1,
        "Hur jag har det (ungdom 13–18 år)",
        "youth",
        ["before", "after", "follow_up"],
        "Svara utifrån hur du har det nu. Dina svar sparas utan ditt namn när gruppen är slut.",
        [
            ("forstar", "Jag förstår hur det kommer sig att jag är placerad.", "likert", False),
            ("prata", "Jag har någon jag litar på att prata med när det är tungt.", "likert", False),
            ("klara", "När något är svårt brukar jag hitta ett sätt att hantera det.", "likert", False),
            ("framat", "Jag har en bild av hur min framtid kan se ut.", "likert", False),
            ("viktigt", "Jag har saker i livet som känns meningsfulla.", "likert", False),
            ("inte-ensam", "Jag vet att andra i min ålder har liknande erfarenheter.", "likert", False),
        ],
    ),
    (
        "gruppen-barn",
        1,
        "Vad tyckte du om gruppen? (barn 7–12 år)",
        "child",
        ["after"],
        "Nu är gruppen slut. Berätta vad du tyckte!",
        [
            ("trivdes", "Jag tyckte om att vara med i gruppen.", "likert", True),
            ("trygg", "Jag kände mig trygg i gruppen.", "likert", False),
            ("lyssnade", "Ledarna lyssnade på mig.", "likert", False),
            ("tipsa", "Jag skulle tipsa en kompis om att vara med i en grupp.", "likert", False),
            ("basta", "Det bästa med gruppen var …", "free_text", False),
            ("battre", "Det här kunde ha varit bättre …", "free_text", False),
        ],
    ),
    (
        "gruppen-ungdom",
        1,
        "Vad tyckte du om gruppen? (ungdom 13–18 år)",
        "youth",
        ["after"],
        "Dina synpunkter hjälper oss att göra grupperna bättre.",
        [
            ("trivdes", "Sammantaget var det bra för mig att vara med i gruppen.", "likert", True),
            ("trygg", "Jag kunde vara mig själv i gruppen.", "likert", False),
            ("lyssnade", "Ledarna tog det jag sa på allvar.", "likert", False),
            ("tipsa", "Jag skulle rekommendera gruppen till någon i liknande situation.", "likert", False),
            ("basta", "Det som betydde mest för mig var …", "free_text", False),
            ("battre", "Det här skulle jag vilja ändra på …", "free_text", False),
        ],
    ),
    (
        "familjehemmets-upplevelse",
        1,
        "Familjehemmets upplevelse",
        "foster_family",
        ["after", "follow_up"],
        "Frågorna gäller barnets tid i stödgruppen. Svaren används bara sammanställda, aldrig per familj.",
        [
            ("nojd", "Vi är sammantaget nöjda med stödgruppen.", "likert", True),
            ("information", "Vi fick tillräcklig information inför gruppen.", "likert", False),
            ("bemotande", "Vi blev väl bemötta av Bris.", "likert", False),
            ("mar-battre", "Vi märker att barnet mår bättre efter gruppen.", "likert", False),
            ("pratar", "Barnet pratar mer om sin situation än tidigare.", "likert", False),
            ("ovrigt", "Vill ni berätta något mer för oss?", "free_text", False),
        ],
    ),
]


def seed_default_instruments(apps, app_label: str = "followup") -> None:
    """Create the default questionnaires; existing ones (by code and version) are left alone."""
    Instrument = apps.get_model(app_label, "EvaluationInstrument")
    Question = apps.get_model(app_label, "EvaluationQuestion")
    for code, version, name, audience, moments, introduction, questions in INSTRUMENTS:
        instrument, created = Instrument.objects.get_or_create(
            code=code,
            version=version,
            defaults={"name": name, "audience": audience, "moments": moments, "introduction": introduction},
        )
        if not created:
            continue
        for position, (question_code, text, kind, satisfaction) in enumerate(questions, start=1):
            Question.objects.create(
                instrument=instrument,
                position=position,
                code=question_code,
                text=text,
                kind=kind,
                low_label=AGREE_LOW if kind == "likert" else "",
                high_label=AGREE_HIGH if kind == "likert" else "",
                measures_satisfaction=satisfaction,
                is_required=False,
            )

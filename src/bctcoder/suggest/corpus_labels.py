"""Label sets of the evaluation corpora: BCTTv1 (+ HBCP's 4.5, + optional BCTO definitions), the ESConv and
physical-activity coaching strategies. All descriptions are our own wording."""

from __future__ import annotations

import re
from pathlib import Path

from bctcoder.errors import InputError
from bctcoder.suggest.base import LabelInfo

CORPORA = ("hbcp", "esconv", "pa-counseling", "csv")

_WS = re.compile(r"\s+")


HBCP_EXTRA_LABELS: tuple[LabelInfo, ...] = (
    LabelInfo(
        "4.5", "Advise to change behaviour",
        "Someone tells, recommends or urges the person to do the behaviour (or to stop it), without further "
        "technique such as goals, instructions or feedback; used by the Human Behaviour-Change Project, not "
        "one of the 93 BCTTv1 techniques.",
        ("advised them to change what they do", "recommended that they do it more often",
         "told them to stop", "strongly urged to cut down", "brief advice to change"),
    ),
)
"""Labels HBCP codes beyond BCTTv1, described in our own words."""

ESCONV_STRATEGIES: tuple[LabelInfo, ...] = (
    LabelInfo("Question", "Question",
              "The supporter asks something to learn more about the person's situation or feelings.",
              ("what happened", "how long have you felt this way", "can you tell me more",
               "do you have anyone to talk to")),
    LabelInfo("Restatement or Paraphrasing", "Restatement or paraphrasing",
              "The supporter says back, in other or similar words, what the person has just told them, to "
              "check and show they understood.",
              ("so you are saying that", "it sounds like your job is at risk", "if I understand you correctly",
               "you lost contact with your friends")),
    LabelInfo("Reflection of feelings", "Reflection of feelings",
              "The supporter names and acknowledges the emotion the person seems to feel.",
              ("that must be really frustrating", "you seem very anxious about this", "I can tell you are hurt",
               "it sounds lonely")),
    LabelInfo("Self-disclosure", "Self-disclosure",
              "The supporter shares something from their own life or feelings that resembles the person's "
              "experience.",
              ("I went through something similar", "when I lost my job I felt the same",
               "I have felt that way too", "my friend and I had a fight once")),
    LabelInfo("Affirmation and Reassurance", "Affirmation and reassurance",
              "The supporter encourages the person, points to their strengths, or reassures them that things "
              "can get better and that their reaction is understandable.",
              ("you are doing the right thing", "you are strong", "I am sure it will work out",
               "you should be proud of yourself", "it is okay to feel this way")),
    LabelInfo("Providing Suggestions", "Providing suggestions",
              "The supporter proposes something the person could do or try, without imposing it.",
              ("maybe you could try", "have you thought about talking to", "it might help to",
               "perhaps you can make a list")),
    LabelInfo("Information", "Information",
              "The supporter gives facts, resources or explanations that are useful to the person.",
              ("there are free online courses", "studies show that exercise helps",
               "many people experience this", "you can call a helpline")),
    LabelInfo("Others", "Others",
              "Greetings, thanks, small talk and anything that is not one of the other strategies.",
              ("hello how are you", "you are welcome", "thank you for sharing", "take care bye")),
)
"""The eight ESConv supporter strategies, described in our own words."""

PA_STRATEGIES: tuple[LabelInfo, ...] = (
    LabelInfo("Guideline", "Physical activity guidelines",
              "Refers to official recommendations on how much, how hard or what kind of activity adults should do.",
              ("the guidelines recommend 150 minutes a week", "adults should do muscle strengthening",
               "moderate intensity activity")),
    LabelInfo("Benefit", "Health benefits of physical activity",
              "Explains what being active does for health, mood or wellbeing.",
              ("exercise lowers your risk of heart disease", "being active improves your mood",
               "more energy and better sleep")),
    LabelInfo("Goal", "Goal setting",
              "Talks about setting, adjusting or reaching a physical activity goal, such as a step target.",
              ("your goal this week is 6000 steps", "let's increase your goal by 20 percent",
               "what goal do you want to set")),
    LabelInfo("Monitoring", "Self-monitoring and adherence",
              "Talks about tracking activity (pedometer, app, diary) and keeping to the programme.",
              ("wear your pedometer every day", "log your steps in the app", "keeping a journal of your activity")),
    LabelInfo("Support", "Social support",
              "Talks about getting help, company or encouragement from family, friends or others.",
              ("walk with a friend", "ask your family to join you", "find a workout buddy")),
    LabelInfo("Self-efficacy", "Self-efficacy and confidence",
              "Builds the person's confidence that they can be active, for example by praising progress.",
              ("I'm confident you can do this", "you've already done so well", "how sure are you that you can")),
    LabelInfo("Motivation", "Motivation",
              "Explores or strengthens the person's reasons and drive to be active.",
              ("what motivates you", "remember why you started", "reward yourself when you reach it")),
    LabelInfo("Barrier", "Overcoming barriers",
              "Identifies what gets in the way of being active and ways around it.",
              ("what makes it hard for you", "if it rains you could walk in the mall", "lack of time is common")),
    LabelInfo("Relapse", "Relapse prevention",
              "Prepares for lapses and for getting back on track after a break.",
              ("if you miss a few days", "getting back on track after vacation", "don't give up after a slip")),
    LabelInfo("Safety", "Safety of physical activity",
              "Advice on being active safely: warming up, injuries, heat, safe places.",
              ("stretch before you walk", "stop if you feel chest pain", "walk in a well lit area")),
    LabelInfo("Diet", "Healthy diet",
              "Talks about food and eating habits.",
              ("eat more vegetables", "cut down on sugary drinks", "healthy snacks")),
    LabelInfo("Weight", "Weight loss and maintenance",
              "Talks about body weight, losing it or keeping it off.",
              ("losing weight takes time", "maintain your weight", "BMI")),
    LabelInfo("None", "No intervention strategy",
              "Greetings, acknowledgements, thanks and other talk that carries no counselling strategy.",
              ("hi there thanks for joining me", "that makes sense", "okay great", "talk to you next week")),
)
"""The physical-activity coaching strategies (``Strategy1`` values), described in our own words."""


def hbcp_labels(definitions: str | Path | None = None, *, taxonomy: str = "bcttv1") -> list[LabelInfo]:
    """LabelInfo for the 93 BCTTv1 techniques (our descriptions and cues) plus HBCP's 4.5.

    ``definitions``: a BCTO ``.xlsx``/``.owl`` file whose official definitions (and class labels) are added
    as ``LabelInfo.definition`` through its BCTTv1 cross-references, one line per BCTO class
    (``"set behaviour goal: A goal setting technique that ..."``); ``None`` uses our wording only.
    """
    from bctcoder.taxonomy.builtin import builtin_rows

    official: dict[str, str] = {}
    if definitions is not None:
        from bctcoder.taxonomy.bcto import read_bcto

        source = read_bcto(definitions)
        for number, entries in source.by_technique.items():
            official[number] = "\n".join(_bcto_line(e.label, e.definition) for e in entries if e.definition)
    out = [LabelInfo(row["id"], row["label"], row.get("description"), tuple(row.get("cues") or ()),
                     official.get(row["id"]) or None)
           for row in builtin_rows(taxonomy)]
    known = {info.id for info in out}
    for extra in HBCP_EXTRA_LABELS:
        if extra.id not in known:
            out.append(LabelInfo(extra.id, extra.label, extra.description, extra.cues,
                                 official.get(extra.id) or None))
    return out


def _bcto_line(label: str, definition: str) -> str:
    """One BCTO class as plain text: ``set behaviour goal: A goal setting technique that ...``."""
    def plain(text: str) -> str:
        text = re.sub(r"<behaviour change technique>", "behaviour change technique", text)
        text = re.sub(r"<([^<>]*?)\s*BCT>", r"\1 technique", text)
        return _WS.sub(" ", text.replace("<", "").replace(">", "")).strip()
    name = re.sub(r"\s*BCT$", "", label.strip())
    return f"{plain(name)}: {plain(definition)}"


def esconv_labels() -> list[LabelInfo]:
    """The eight ESConv strategies."""
    return list(ESCONV_STRATEGIES)


def pa_labels(include_none: bool = True) -> list[LabelInfo]:
    """The coaching strategies (with "None" unless ``include_none=False``)."""
    return [s for s in PA_STRATEGIES if include_none or s.id != "None"]


def corpus_labels(name: str, definitions: str | Path | None = None) -> list[LabelInfo]:
    """The label set of a corpus by name."""
    if name == "hbcp":
        return hbcp_labels(definitions)
    if name == "esconv":
        return esconv_labels()
    if name == "pa-counseling":
        return pa_labels()
    raise InputError(f"unknown corpus {name!r} (choose from {', '.join(CORPORA)})", source="--corpus")
